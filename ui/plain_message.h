// Message boxes that show their text as written. An error quotes file
// names, a run log's fields, a database's rows and a server's messages:
// none of it is ever rendered as markup (QMessageBox's static functions
// guess rich text from a leading tag).
#pragma once
#include <QString>

class QWidget;

namespace ppui {

// A modal warning with `text` as plain text.
void warnPlainly(QWidget* parent, const QString& title, const QString& text);

}  // namespace ppui
