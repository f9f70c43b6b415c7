// The window's status line: what happened last ("statusLine"), and remarks
// that pass (warnings, notes) shown in its place for a while
// ("statusRemark"). Both are cut to the width the status bar leaves them,
// with an ellipsis and the whole text on hover; every remark is also kept
// for View > Recent messages, so a narrow window or a short display time
// never loses one. Text is always plain: it quotes files, logs and servers.
#pragma once
#include <QDateTime>
#include <QLabel>
#include <QProgressBar>
#include <QStringList>
#include <QTimer>

namespace ppui {

// A one-line label that paints what fits of its text, ending in "…", and
// shows the whole text as its tooltip when cut. text() is the whole text.
class ElidedLabel : public QLabel {
  Q_OBJECT
 public:
  explicit ElidedLabel(QWidget* parent = nullptr);
  bool isElided() const;
  QString shownText() const;  // what is painted

  QSize minimumSizeHint() const override;
  QSize sizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* e) override;
  bool event(QEvent* e) override;
};

class StatusLine : public QWidget {
  Q_OBJECT
 public:
  explicit StatusLine(QWidget* parent = nullptr);

  ElidedLabel* status() const { return status_; }
  // Shows `text` in the status line's place for `ms` milliseconds (the
  // status line keeps taking news underneath) and keeps it in history().
  void flash(const QString& text, int ms);
  bool flashing() const;
  // The run's progress box beside the line: `format` as QProgressBar's
  // (%v, %m), room for `widest` of it; hidden until there is a run to count.
  QProgressBar* makeProgressBox(const QString& format, const QString& widest);

  struct Remark {
    QDateTime at;
    QString text;
  };
  const QList<Remark>& history() const { return history_; }
  static constexpr int kHistory = 200;

 Q_SIGNALS:
  void clicked();  // on the line: the window offers the recent messages

 protected:
  void mousePressEvent(QMouseEvent* e) override;
  void mouseReleaseEvent(QMouseEvent* e) override;

 private:
  ElidedLabel* status_;
  ElidedLabel* remark_;
  QTimer timer_;
  QList<Remark> history_;
};

// The remarks, newest last, as the Recent messages dialog shows them.
QString formatRemarks(const QList<StatusLine::Remark>& remarks);
// View > Recent messages: the remarks of `line`, whole and selectable (a
// path or an error to copy), in a dialog of `parent` ("recentMessages").
void showRemarks(QWidget* parent, const StatusLine& line);

}  // namespace ppui
