#include "lesson_panel.h"

#include "core/input_error.h"

#include <QApplication>
#include <QButtonGroup>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

#include <filesystem>

namespace offload::studio::teaching {

QString lessonControlTitle(sim::LessonControl control)
{
    switch (control) {
    case sim::LessonControl::network: return QObject::tr("Network");
    case sim::LessonControl::batch: return QObject::tr("Batch size");
    case sim::LessonControl::dtype: return QObject::tr("Data type");
    case sim::LessonControl::progress: return QObject::tr("Training progress");
    case sim::LessonControl::gpu_preset: return QObject::tr("GPU");
    case sim::LessonControl::link_preset: return QObject::tr("Link");
    case sim::LessonControl::bandwidth_bytes_per_s: return QObject::tr("Link bandwidth");
    case sim::LessonControl::codec: return QObject::tr("Codec");
    case sim::LessonControl::engine: return QObject::tr("Compression engine");
    case sim::LessonControl::policy: return QObject::tr("Offload policy");
    case sim::LessonControl::prefetch: return QObject::tr("Prefetch");
    case sim::LessonControl::sync: return QObject::tr("Synchronisation");
    case sim::LessonControl::conv_algorithms: return QObject::tr("Convolution algorithms");
    case sim::LessonControl::compute_model: return QObject::tr("Compute model");
    }
    return {};
}

LessonPanel::LessonPanel(StudioModel& model, QWidget* parent) : QWidget(parent), model_(model)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    list_ = new QListWidget;
    list_->setToolTip(tr("Ready-made scenarios, each comparing the values of one setting. Select one to read it; Start "
                         "opens its scenario."));
    layout->addWidget(list_, 2);
    start_ = new QPushButton(tr("Start lesson"));
    start_->setToolTip(tr("Open the lesson's scenario (it replaces the current one) and set the first value."));
    start_->setEnabled(false);
    layout->addWidget(start_);
    title_ = new QLabel;
    title_->setWordWrap(true);
    layout->addWidget(title_);
    text_ = new QLabel;
    text_->setWordWrap(true);
    text_->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    text_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    text_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(text_, 3);
    controlLabel_ = new QLabel;
    controlLabel_->setWordWrap(true);
    layout->addWidget(controlLabel_);
    choices_ = new QWidget;
    choiceRow_ = new QHBoxLayout(choices_);
    choiceRow_->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(choices_);
    layout->addStretch(1);
    group_ = new QButtonGroup(this);
    group_->setExclusive(true);
    applyFonts();

    connect(list_, &QListWidget::currentRowChanged, this, &LessonPanel::showListed);
    connect(list_, &QListWidget::itemDoubleClicked, this, [this](QListWidgetItem* item) {
        const int index = item->data(Qt::UserRole).toInt();
        if (index >= 0)
            emit lessonRequested(index);
    });
    connect(start_, &QPushButton::clicked, this, [this] {
        const auto* item = list_->currentItem();
        if (item && item->data(Qt::UserRole).toInt() >= 0)
            emit lessonRequested(item->data(Qt::UserRole).toInt());
    });
    connect(group_, &QButtonGroup::idClicked, this, [this](int choice) {
        try {
            chooseValue(choice);
        } catch (const std::exception& e) {
            controlLabel_->setText(tr("Cannot apply this value: %1").arg(QString::fromStdString(e.what())));
        }
    });
}

void LessonPanel::applyFonts()
{
    QFont bold = QApplication::font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    title_->setFont(bold);
    list_->setMinimumHeight(QFontMetrics(QApplication::font()).lineSpacing() * 4);
}

bool LessonPanel::event(QEvent* event)
{
    const bool handled = QWidget::event(event);
    if (event->type() == QEvent::ApplicationFontChange)
        applyFonts();
    return handled;
}

void LessonPanel::loadFolder(const QString& folder)
{
    lessons_.clear();
    rowOfLesson_.clear();
    errors_.clear();
    list_->clear();
    active_ = -1;
    std::vector<std::filesystem::path> files;
    try {
        files = sim::lessonFiles(std::filesystem::path(folder.toStdString()));
    } catch (const InputError& e) {
        errors_ << QString::fromStdString(e.what());
    }
    for (const auto& file : files) {
        auto* item = new QListWidgetItem;
        try {
            lessons_.push_back(sim::loadLessonFile(file));
            const sim::Lesson& lesson = lessons_.back();
            item->setText(QString::fromStdString(lesson.title));
            item->setData(Qt::UserRole, lessonCount() - 1);
            item->setToolTip(tr("%1: %2 compared").arg(QString::fromStdString(lesson.title),
                                                        lessonControlTitle(lesson.control).toLower()));
            rowOfLesson_.push_back(list_->count());
        } catch (const std::exception& e) {
            item->setText(QString::fromStdString(file.filename().string()));
            item->setData(Qt::UserRole, -1);
            item->setFlags(item->flags() & ~Qt::ItemIsEnabled);
            item->setToolTip(QString::fromStdString(e.what()));
            errors_ << QString::fromStdString(e.what());
        }
        list_->addItem(item);
    }
    if (!lessons_.empty())
        list_->setCurrentRow(rowOfLesson_.front());
}

void LessonPanel::showListed(int row)
{
    const auto* item = row >= 0 ? list_->item(row) : nullptr;
    const int index = item ? item->data(Qt::UserRole).toInt() : -1;
    start_->setEnabled(index >= 0);
    if (index < 0) {
        title_->clear();
        text_->setText(item ? item->toolTip() : QString());
        return;
    }
    const sim::Lesson& l = lesson(index);
    if (index == active_) {
        // Back to the lesson that runs: its text and its value buttons.
        title_->setText(QString::fromStdString(l.title));
        text_->setText(QString::fromStdString(l.text));
        controlLabel_->setText(tr("%1:").arg(lessonControlTitle(l.control)));
        choices_->show();
        return;
    }
    title_->setText(QString::fromStdString(l.title));
    text_->setText(QString::fromStdString(l.text));
    QStringList values;
    for (const auto& choice : l.choices)
        values << QString::fromStdString(choice.label);
    controlLabel_->setText(tr("Compares the %1: %2. Start the lesson to switch between them.")
                               .arg(lessonControlTitle(l.control).toLower(), values.join(QStringLiteral(", "))));
    choices_->hide();
}

void LessonPanel::setActiveLesson(int index)
{
    if (index < 0 || index >= lessonCount())
        index = -1;
    active_ = index;
    chosen_ = -1;
    if (index >= 0 && list_->currentRow() != rowOfLesson_[static_cast<std::size_t>(index)])
        list_->setCurrentRow(rowOfLesson_[static_cast<std::size_t>(index)]); // shows its text
    for (auto* button : group_->buttons()) {
        group_->removeButton(button);
        delete button;
    }
    if (index < 0) {
        choices_->hide();
        return;
    }
    const sim::Lesson& l = lesson(index);
    title_->setText(QString::fromStdString(l.title));
    text_->setText(QString::fromStdString(l.text));
    controlLabel_->setText(tr("%1:").arg(lessonControlTitle(l.control)));
    for (std::size_t i = 0; i < l.choices.size(); ++i) {
        auto* button = new QPushButton(QString::fromStdString(l.choices[i].label));
        button->setCheckable(true);
        button->setToolTip(tr("Set the %1 to %2 (value \"%3\") and simulate again.")
                               .arg(lessonControlTitle(l.control).toLower(), QString::fromStdString(l.choices[i].label),
                                    QString::fromStdString(l.choices[i].value)));
        group_->addButton(button, static_cast<int>(i));
        choiceRow_->addWidget(button);
    }
    choices_->show();
}

void LessonPanel::chooseValue(int choice)
{
    if (active_ < 0 || choice < 0 || choice >= static_cast<int>(lesson(active_).choices.size()))
        return;
    model_.apply(lesson(active_).choices[static_cast<std::size_t>(choice)].edit);
    chosen_ = choice;
    if (auto* button = group_->button(choice))
        button->setChecked(true);
}

QAbstractButton* LessonPanel::choiceButton(int choice) const { return group_->button(choice); }

int LessonPanel::choiceButtonCount() const { return static_cast<int>(group_->buttons().size()); }

QString LessonPanel::lessonText() const { return text_->text(); }

} // namespace offload::studio::teaching
