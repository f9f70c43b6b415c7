#include "ui/recover_dialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

#include <functional>

namespace ppui {

namespace {
// A line edit with a Browse... button beside it.
QWidget* withBrowse(QLineEdit* edit, QWidget* parent, std::function<void()> browse) {
  auto* row = new QWidget(parent);
  auto* h = new QHBoxLayout(row);
  h->setContentsMargins(0, 0, 0, 0);
  h->addWidget(edit, 1);
  auto* b = new QPushButton(QObject::tr("Browse..."), row);
  QObject::connect(b, &QPushButton::clicked, row, std::move(browse));
  h->addWidget(b);
  return row;
}
}  // namespace

RecoverDialog::RecoverDialog(const QString& logPath, const std::vector<int64_t>& trials,
                             QWidget* parent)
    : QDialog(parent) {
  setObjectName("recoverDialog");
  setWindowTitle(tr("Recover the selected sub-networks"));
  QStringList ids;
  for (int64_t id : trials) ids << QString::number(id);
  const QString what =
      trials.size() == 1
          ? tr("Trial %1 is sliced into a model of its own and fine-tuned").arg(ids.join(""))
          : tr("Trials %1 are each sliced into a model of their own and fine-tuned")
                .arg(ids.join(", "));
  auto* intro = new QLabel(what + tr(" on the run's training split, then measured on its "
                                     "validation set and recorded in %1.")
                                      .arg(QFileInfo(logPath).fileName()),
                           this);
  intro->setWordWrap(true);
  steps_ = new QSpinBox(this);
  steps_->setObjectName("steps");
  steps_->setRange(1, 1000000);
  steps_->setSuffix(tr(" steps"));
  steps_->setToolTip(tr("Optimizer steps per sub-network (learning-rate probes come on top)"));
  seconds_ = new QSpinBox(this);
  seconds_->setObjectName("seconds");
  seconds_->setRange(0, 7 * 24 * 3600);
  seconds_->setSuffix(tr(" s"));
  seconds_->setSpecialValueText(tr("no limit"));
  seconds_->setToolTip(tr("Wall time per sub-network, probes included"));
  distill_ =
      new QCheckBox(tr("Distil from the full model (off: plain fine-tuning on the labels)"), this);
  distill_->setObjectName("distill");
  test_ = new QLineEdit(this);
  test_->setObjectName("testFile");
  test_->setPlaceholderText(tr("optional: data neither the search nor the recovery saw"));
  out_ = new QLineEdit(this);
  out_->setObjectName("outDir");
  out_->setToolTip(tr("New, empty, or an earlier recovery's folder (it resumes)"));
  auto* form = new QFormLayout;
  form->addRow(tr("Steps per pick:"), steps_);
  form->addRow(tr("Time per pick:"), seconds_);
  form->addRow(QString(), distill_);
  form->addRow(tr("Test file:"), withBrowse(test_, this, [this] { browseTest(); }));
  form->addRow(tr("Output folder:"), withBrowse(out_, this, [this] { browseOut(); }));
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  buttons->button(QDialogButtonBox::Ok)->setText(tr("Recover"));
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* v = new QVBoxLayout(this);
  v->addWidget(intro);
  v->addLayout(form);
  v->addWidget(buttons);

  QSettings st;
  RecoverSettings s;
  s.budgetSteps = st.value("recover/steps", qlonglong{300}).toLongLong();
  s.budgetSeconds = st.value("recover/seconds", 0).toInt();
  s.distill = st.value("recover/distill", true).toBool();
  s.outDir = defaultOutDir(logPath);
  setSettings(s);
  resize(560, sizeHint().height());
}

QString RecoverDialog::defaultOutDir(const QString& logPath) {
  const QFileInfo f(logPath);
  return QDir(f.absolutePath()).filePath(f.completeBaseName() + "-recovered");
}

RecoverSettings RecoverDialog::settings() const {
  RecoverSettings s;
  s.budgetSteps = steps_->value();
  s.budgetSeconds = seconds_->value();
  s.distill = distill_->isChecked();
  s.testFile = test_->text().trimmed();
  s.outDir = out_->text().trimmed();
  return s;
}

void RecoverDialog::setSettings(const RecoverSettings& s) {
  steps_->setValue(static_cast<int>(s.budgetSteps));
  seconds_->setValue(s.budgetSeconds);
  distill_->setChecked(s.distill);
  test_->setText(s.testFile);
  out_->setText(s.outDir);
}

void RecoverDialog::accept() {
  QSettings st;
  st.setValue("recover/steps", static_cast<qlonglong>(steps_->value()));
  st.setValue("recover/seconds", seconds_->value());
  st.setValue("recover/distill", distill_->isChecked());
  QDialog::accept();
}

void RecoverDialog::browseTest() {
  const QString f = QFileDialog::getOpenFileName(this, tr("Test data"), test_->text(),
                                                 tr("Data (*.tsv *.csv *.jsonl);;All files (*)"));
  if (!f.isEmpty()) test_->setText(f);
}

void RecoverDialog::browseOut() {
  const QString d = QFileDialog::getExistingDirectory(this, tr("Output folder"), out_->text());
  if (!d.isEmpty()) out_->setText(d);
}

}  // namespace ppui
