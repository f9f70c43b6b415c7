// Plain-text message boxes (plain_message.h).
#include "ui/plain_message.h"

#include <QMessageBox>

namespace ppui {

void warnPlainly(QWidget* parent, const QString& title, const QString& text) {
  QMessageBox box(QMessageBox::Warning, title, text, QMessageBox::Ok, parent);
  box.setTextFormat(Qt::PlainText);
  box.exec();
}

}  // namespace ppui
