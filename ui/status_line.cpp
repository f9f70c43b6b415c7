#include "ui/status_line.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QEvent>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QMouseEvent>
#include <QPainter>
#include <QPlainTextEdit>
#include <QStyle>
#include <QStyleOption>
#include <QToolTip>
#include <QVBoxLayout>

namespace ppui {

ElidedLabel::ElidedLabel(QWidget* parent) : QLabel(parent) {
  setTextFormat(Qt::PlainText);
  setWordWrap(false);
  setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
}

QString ElidedLabel::shownText() const {
  // One line: a message with line breaks shows its first line, then "…".
  const QString whole = text();
  const int nl = whole.indexOf(QLatin1Char('\n'));
  const QString line = nl < 0 ? whole : whole.left(nl) + QStringLiteral(" …");
  const QRect r = contentsRect();
  return fontMetrics().elidedText(line, Qt::ElideRight, std::max(0, r.width() - 2 * margin()));
}

bool ElidedLabel::isElided() const {
  return shownText() != text();
}

QSize ElidedLabel::minimumSizeHint() const {
  return {fontMetrics().horizontalAdvance(QStringLiteral("Mmmm…")),
          QLabel::minimumSizeHint().height()};
}

QSize ElidedLabel::sizeHint() const {
  return {fontMetrics().horizontalAdvance(shownText()), QLabel::sizeHint().height()};
}

void ElidedLabel::paintEvent(QPaintEvent*) {
  QPainter p(this);
  QStyleOption opt;
  opt.initFrom(this);
  const QRect r = contentsRect().adjusted(margin(), margin(), -margin(), -margin());
  style()->drawItemText(&p, r, int(alignment()) | Qt::TextSingleLine, opt.palette, isEnabled(),
                        shownText(), foregroundRole());
}

bool ElidedLabel::event(QEvent* e) {
  if (e->type() == QEvent::ToolTip && toolTip().isEmpty()) {
    auto* he = static_cast<QHelpEvent*>(e);
    // The text is plain (it may quote a database's or a log's markup):
    // escaped into a tooltip, which would otherwise guess rich text.
    if (isElided())
      QToolTip::showText(
          he->globalPos(),
          QStringLiteral("<p style='white-space:pre-wrap'>%1</p>").arg(text().toHtmlEscaped()),
          this);
    else
      QToolTip::hideText();
    return true;
  }
  return QLabel::event(e);
}

StatusLine::StatusLine(QWidget* parent)
    : QWidget(parent), status_(new ElidedLabel(this)), remark_(new ElidedLabel(this)) {
  status_->setObjectName("statusLine");
  remark_->setObjectName("statusRemark");
  remark_->hide();
  auto* row = new QHBoxLayout(this);
  row->setContentsMargins(0, 0, 0, 0);
  row->addWidget(status_);
  row->addWidget(remark_);
  setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  setToolTip({});
  timer_.setSingleShot(true);
  connect(&timer_, &QTimer::timeout, this, [this] {
    remark_->hide();
    status_->show();
  });
}

void StatusLine::flash(const QString& text, int ms) {
  history_.append({QDateTime::currentDateTime(), text});
  while (history_.size() > kHistory) history_.removeFirst();
  remark_->setText(text);
  status_->hide();
  remark_->show();
  timer_.start(std::max(1, ms));
}

bool StatusLine::flashing() const {
  return timer_.isActive();
}

QProgressBar* StatusLine::makeProgressBox(const QString& format, const QString& widest) {
  auto* bar = new QProgressBar(parentWidget());
  bar->setRange(0, 1);
  bar->setValue(0);
  bar->setFormat(format);
  bar->setMaximumWidth(260);
  bar->setMinimumWidth(bar->fontMetrics().horizontalAdvance(widest) + 32);
  bar->setVisible(false);
  return bar;
}

void StatusLine::mousePressEvent(QMouseEvent* e) {
  e->setAccepted(e->button() == Qt::LeftButton);  // so that the release comes here
}

void StatusLine::mouseReleaseEvent(QMouseEvent* e) {
  if (e->button() == Qt::LeftButton) Q_EMIT clicked();
  QWidget::mouseReleaseEvent(e);
}

QString formatRemarks(const QList<StatusLine::Remark>& remarks) {
  QStringList lines;
  for (const auto& r : remarks)
    lines << r.at.toString(QStringLiteral("HH:mm:ss")) + QStringLiteral("  ") + r.text;
  return lines.join(QLatin1Char('\n'));
}

void showRemarks(QWidget* parent, const StatusLine& line) {
  auto* dlg = parent->findChild<QDialog*>("recentMessages");
  if (!dlg) {
    dlg = new QDialog(parent);
    dlg->setObjectName("recentMessages");
    dlg->setWindowTitle(QObject::tr("Recent messages"));
    auto* text = new QPlainTextEdit(dlg);
    text->setReadOnly(true);
    text->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, dlg);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dlg, &QDialog::hide);
    auto* col = new QVBoxLayout(dlg);
    col->addWidget(text);
    col->addWidget(buttons);
    dlg->resize(720, 320);
  }
  const QString all = formatRemarks(line.history());
  dlg->findChild<QPlainTextEdit*>()->setPlainText(
      all.isEmpty() ? QObject::tr("No warnings or notes yet in this session.") : all);
  dlg->show();
  dlg->raise();
}

}  // namespace ppui
