#include "ui/mainwindow.h"

#include <QFileDialog>
#include <QLabel>
#include <QMenuBar>
#include <QStatusBar>

#include "paretoprune/config.h"
#include "paretoprune/error.h"
#include "paretoprune/metrics.h"
#include "paretoprune/model.h"

namespace ppui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(tr("ParetoPrune"));
  summary_ = new QLabel(tr("Open a Hugging Face BERT classifier directory to begin."), this);
  summary_->setAlignment(Qt::AlignCenter);
  summary_->setWordWrap(true);
  summary_->setMargin(24);
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  setCentralWidget(summary_);
  auto* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&Open model..."), this, [this] {
    QString dir = QFileDialog::getExistingDirectory(this, tr("Model directory"));
    if (!dir.isEmpty()) openModel(dir);
  });
  file->addAction(tr("&Quit"), this, &QWidget::close);
  resize(900, 600);
}

bool MainWindow::openModel(const QString& dir) {
  try {
    auto model = pp::Model::load(dir.toStdString());
    const auto& c = model->config();
    summary_->setText(tr("<b>%1</b><br>%2 layers, %3 heads, hidden %4, feed-forward %5<br>%6 parameters")
                          .arg(dir.toHtmlEscaped())
                          .arg(c.num_hidden_layers)
                          .arg(c.num_attention_heads)
                          .arg(c.hidden_size)
                          .arg(c.intermediate_size)
                          .arg(QLocale().toString(static_cast<qlonglong>(pp::parameterCount(c)))));
    statusBar()->showMessage(tr("Model loaded"));
    return true;
  } catch (const pp::Error& e) {
    summary_->setText(tr("<b>Cannot open the model</b><br>%1").arg(QString::fromStdString(e.what()).toHtmlEscaped()));
    statusBar()->showMessage(tr("Model not loaded"));
    return false;
  }
}

}  // namespace ppui
