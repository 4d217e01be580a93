#include "presentation_mode.h"

#include <QApplication>
#include <QKeyEvent>
#include <QWidget>

namespace offload::studio::teaching {

QPalette highContrastPalette()
{
    QPalette p;
    const QColor black(Qt::black), white(Qt::white);
    for (auto group : {QPalette::Active, QPalette::Inactive}) {
        p.setColor(group, QPalette::Window, white);
        p.setColor(group, QPalette::WindowText, black);
        p.setColor(group, QPalette::Base, white);
        p.setColor(group, QPalette::AlternateBase, QColor(0xEE, 0xEE, 0xEE));
        p.setColor(group, QPalette::Text, black);
        p.setColor(group, QPalette::Button, QColor(0xE4, 0xE4, 0xE4));
        p.setColor(group, QPalette::ButtonText, black);
        p.setColor(group, QPalette::Highlight, QColor(0x00, 0x3C, 0x8C));
        p.setColor(group, QPalette::HighlightedText, white);
        p.setColor(group, QPalette::ToolTipBase, QColor(0xFF, 0xFF, 0xE0));
        p.setColor(group, QPalette::ToolTipText, black);
        p.setColor(group, QPalette::PlaceholderText, QColor(0x40, 0x40, 0x40));
        p.setColor(group, QPalette::Light, white);
        p.setColor(group, QPalette::Midlight, QColor(0xC0, 0xC0, 0xC0));
        p.setColor(group, QPalette::Mid, QColor(0x50, 0x50, 0x50));
        p.setColor(group, QPalette::Dark, QColor(0x30, 0x30, 0x30));
        p.setColor(group, QPalette::Shadow, black);
        p.setColor(group, QPalette::Link, QColor(0x00, 0x3C, 0x8C));
    }
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x60, 0x60, 0x60));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x60, 0x60, 0x60));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x60, 0x60, 0x60));
    p.setColor(QPalette::Disabled, QPalette::Window, white);
    p.setColor(QPalette::Disabled, QPalette::Base, white);
    p.setColor(QPalette::Disabled, QPalette::Button, QColor(0xE4, 0xE4, 0xE4));
    return p;
}

PresentationMode::PresentationMode(StudioModel& model, QWidget* window) : QObject(window), model_(model), window_(window) {}

PresentationMode::~PresentationMode()
{
    // The window is being destroyed: give the application its look back, tell no widget.
    if (on_) {
        qApp->removeEventFilter(this);
        QApplication::setFont(savedFont_);
        QApplication::setPalette(savedPalette_);
    }
}

void PresentationMode::notifyFontChange()
{
    // Qt tells only top-level windows that the application font changed; widgets that derive
    // their own fonts from it (larger captions, a bold button) are told here.
    QEvent change(QEvent::ApplicationFontChange);
    for (QWidget* widget : QApplication::allWidgets())
        if (widget->window() == window_ && !widget->isWindow())
            QCoreApplication::sendEvent(widget, &change);
}

void PresentationMode::setOn(bool on)
{
    if (on == on_)
        return;
    on_ = on;
    if (on) {
        savedFont_ = QApplication::font();
        savedPalette_ = QApplication::palette();
        QFont large = savedFont_;
        large.setPointSizeF(savedFont_.pointSizeF() * kPresentationFontScale);
        QApplication::setFont(large);
        QApplication::setPalette(highContrastPalette());
        notifyFontChange();
        qApp->installEventFilter(this);
    } else {
        qApp->removeEventFilter(this);
        QApplication::setFont(savedFont_);
        QApplication::setPalette(savedPalette_);
        notifyFontChange();
    }
}

bool PresentationMode::handlesKey(int key) const
{
    switch (key) {
    case Qt::Key_Space:
    case Qt::Key_Left:
    case Qt::Key_Right:
    case Qt::Key_Plus:
    case Qt::Key_Equal:
    case Qt::Key_Minus:
    case Qt::Key_Underscore:
    case Qt::Key_Home:
    case Qt::Key_Escape: return true;
    default: return false;
    }
}

void PresentationMode::handleKey(int key, Qt::KeyboardModifiers modifiers)
{
    const bool byLayer = modifiers & Qt::ShiftModifier;
    switch (key) {
    case Qt::Key_Space: model_.togglePlayback(); break;
    case Qt::Key_Left: byLayer ? model_.stepLayer(-1) : model_.stepEvent(-1); break;
    case Qt::Key_Right: byLayer ? model_.stepLayer(+1) : model_.stepEvent(+1); break;
    case Qt::Key_Plus:
    case Qt::Key_Equal: model_.faster(); break;
    case Qt::Key_Minus:
    case Qt::Key_Underscore: model_.slower(); break;
    case Qt::Key_Home:
        model_.pause();
        model_.setCursorTime(0);
        break;
    case Qt::Key_Escape: emit leaveRequested(); break;
    default: break;
    }
}

bool PresentationMode::eventFilter(QObject* watched, QEvent* event)
{
    // Keys reach the window's widgets (not its QWindow, which forwards them): take them there,
    // before any focused button, slider or menu shortcut (Esc clears the selection otherwise).
    const auto type = event->type();
    if (type != QEvent::KeyPress && type != QEvent::ShortcutOverride)
        return false;
    auto* widget = qobject_cast<QWidget*>(watched);
    if (!widget || widget->window() != window_)
        return false;
    auto* key = static_cast<QKeyEvent*>(event);
    const auto modifiers = key->modifiers() & ~(Qt::KeypadModifier | Qt::ShiftModifier);
    if (!handlesKey(key->key()) || modifiers != Qt::NoModifier)
        return false;
    if (type == QEvent::ShortcutOverride) {
        event->accept(); // a key press follows, delivered to the focus widget: handled below
        return true;
    }
    handleKey(key->key(), key->modifiers());
    return true;
}

} // namespace offload::studio::teaching
