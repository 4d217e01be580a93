#pragma once
// Help > Glossary: every term of glossary() with its definition, filtered as one types.
#include <QDialog>

class QLineEdit;
class QTextBrowser;

namespace offload::studio::teaching {

class GlossaryDialog : public QDialog {
    Q_OBJECT
public:
    explicit GlossaryDialog(QWidget* parent = nullptr);

    void setFilter(const QString& text);
    // The terms shown now (after the filter).
    QStringList shownTerms() const { return shown_; }

private:
    void fill();

    QLineEdit* filter_ = nullptr;
    QTextBrowser* text_ = nullptr;
    QStringList shown_;
};

} // namespace offload::studio::teaching
