#pragma once
// The lessons: a list of the bundled (or any folder's) lesson files, the chosen lesson's text,
// and one button per value it compares. Starting a lesson is the window's job (it replaces the
// scenario, like opening a file: lessonRequested); a value's button applies that value as an
// edit through StudioModel::apply, the one path every control takes.
#include "app/studio/studio_model.h"

#include "sim/lesson.h"

#include <QWidget>

class QAbstractButton;
class QButtonGroup;
class QHBoxLayout;
class QLabel;
class QListWidget;
class QPushButton;

namespace offload::studio::teaching {

class LessonPanel : public QWidget {
    Q_OBJECT
public:
    explicit LessonPanel(StudioModel& model, QWidget* parent = nullptr);

    // Reads every lesson file of `folder` (sim::lessonFiles' order). A file that does not load
    // is listed, disabled, with its error as the tooltip, and named in loadErrors().
    void loadFolder(const QString& folder);
    int lessonCount() const { return static_cast<int>(lessons_.size()); }
    const sim::Lesson& lesson(int index) const { return lessons_[static_cast<std::size_t>(index)]; }
    const QStringList& loadErrors() const { return errors_; }

    // The lesson whose scenario the window shows (-1: none): its text and value buttons.
    int activeLesson() const { return active_; }
    void setActiveLesson(int index);
    // Applies the active lesson's value `choice` (StudioModel::apply); throws what apply throws.
    void chooseValue(int choice);
    int chosenValue() const { return chosen_; }
    QAbstractButton* choiceButton(int choice) const;
    int choiceButtonCount() const;
    QString lessonText() const;

signals:
    void lessonRequested(int index); // Start pressed (or a lesson double-clicked)

protected:
    bool event(QEvent* event) override; // follows the application font (presentation mode)

private:
    void applyFonts();
    void showListed(int row);

    StudioModel& model_;
    std::vector<sim::Lesson> lessons_;
    std::vector<int> rowOfLesson_; // list row of each lesson (rows of failed files have none)
    QStringList errors_;
    int active_ = -1;
    int chosen_ = -1;
    QListWidget* list_ = nullptr;
    QLabel* title_ = nullptr;
    QLabel* text_ = nullptr;
    QLabel* controlLabel_ = nullptr;
    QPushButton* start_ = nullptr;
    QWidget* choices_ = nullptr;
    QHBoxLayout* choiceRow_ = nullptr;
    QButtonGroup* group_ = nullptr;
};

// How a lesson names its control: "Offload policy", "Link", ...
QString lessonControlTitle(sim::LessonControl control);

} // namespace offload::studio::teaching
