#include "ui/wheel_guard.h"

#include <QAbstractSpinBox>
#include <QChildEvent>
#include <QComboBox>
#include <QEvent>
#include <QWidget>

namespace ppui {

namespace {
class WheelGuard : public QObject {
 public:
  explicit WheelGuard(QObject* parent) : QObject(parent) {}

  void protect(QWidget* w) {
    if (!qobject_cast<QComboBox*>(w) && !qobject_cast<QAbstractSpinBox*>(w)) return;
    w->setFocusPolicy(Qt::StrongFocus);  // a wheel alone does not focus it
    w->installEventFilter(this);
  }

 protected:
  bool eventFilter(QObject* watched, QEvent* e) override {
    if (e->type() == QEvent::Wheel) {
      auto* w = static_cast<QWidget*>(watched);
      if (!w->hasFocus()) {
        e->ignore();  // goes on to the scroll area
        return true;
      }
    }
    return false;
  }
};
}  // namespace

void guardAgainstWheel(QWidget* form) {
  auto* guard = new WheelGuard(form);
  for (auto* w : form->findChildren<QWidget*>()) guard->protect(w);
}

}  // namespace ppui
