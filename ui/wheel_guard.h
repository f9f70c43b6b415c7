// guardAgainstWheel: a mouse wheel over a scrolling form scrolls the form;
// it never changes the combo box or spin box that happens to be under the
// pointer. A field takes the wheel once it has the keyboard focus.
#pragma once

class QWidget;

namespace ppui {

// Applies to every combo box and spin box under `form` when called.
void guardAgainstWheel(QWidget* form);

}  // namespace ppui
