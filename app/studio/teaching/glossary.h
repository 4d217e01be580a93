#pragma once
// The glossary of teaching mode: short definitions of the words the window and the lessons use,
// as the papers (vDNN, cDMA, JPEG-ACT, GIST, DeLTA) define them. Plain data; the dialog shows it.
#include <QString>

#include <vector>

namespace offload::studio::teaching {

struct GlossaryEntry {
    QString term;
    QString definition; // plain text, one to three sentences
};

// In alphabetical order of the term.
const std::vector<GlossaryEntry>& glossary();
// The entry of a term (case-insensitive), nullptr when there is none.
const GlossaryEntry* glossaryEntry(const QString& term);

} // namespace offload::studio::teaching
