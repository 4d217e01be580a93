#include "glossary_dialog.h"

#include "glossary.h"

#include <QDialogButtonBox>
#include <QLineEdit>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace offload::studio::teaching {

GlossaryDialog::GlossaryDialog(QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("Glossary — Offload Studio"));
    auto* layout = new QVBoxLayout(this);
    filter_ = new QLineEdit;
    filter_->setPlaceholderText(tr("Find a term…"));
    filter_->setClearButtonEnabled(true);
    filter_->setToolTip(tr("Shows the terms whose name or definition contains this text."));
    layout->addWidget(filter_);
    text_ = new QTextBrowser;
    text_->setOpenLinks(false);
    layout->addWidget(text_, 1);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(filter_, &QLineEdit::textChanged, this, &GlossaryDialog::fill);
    const QFontMetrics fm(font());
    resize(fm.horizontalAdvance(QLatin1Char('x')) * 80, fm.lineSpacing() * 30);
    fill();
}

void GlossaryDialog::setFilter(const QString& text) { filter_->setText(text); }

void GlossaryDialog::fill()
{
    const QString needle = filter_->text().trimmed();
    QString html;
    shown_.clear();
    for (const auto& entry : glossary()) {
        if (!needle.isEmpty() && !entry.term.contains(needle, Qt::CaseInsensitive)
            && !entry.definition.contains(needle, Qt::CaseInsensitive))
            continue;
        shown_ << entry.term;
        html += QStringLiteral("<p><b>%1</b><br>%2</p>").arg(entry.term.toHtmlEscaped(), entry.definition.toHtmlEscaped());
    }
    if (shown_.isEmpty())
        html = tr("<p>No term contains \"%1\".</p>").arg(needle.toHtmlEscaped());
    text_->setHtml(html);
}

} // namespace offload::studio::teaching
