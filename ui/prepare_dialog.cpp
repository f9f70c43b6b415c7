#include "ui/prepare_dialog.h"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>

#include "paretoprune/base/error.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/model/model.h"
#include "paretoprune/search/search_space.h"
#include "paretoprune/train/train.h"
#include "ui/axis_ticks.h"

namespace ppui {

namespace {
// The full model's training loss by step. Before the first step the chart
// says so (no bare axes); then both axes at round values (axis_ticks.h).
QChart* lossChart(QLineSeries* loss) {
  auto* chart = new QChart;
  chart->setTitle(QObject::tr("Training loss (full model): drawn from the first step"));
  chart->legend()->hide();
  chart->setAnimationOptions(QChart::NoAnimation);
  chart->addSeries(loss);
  auto* ax = new QValueAxis;
  ax->setTitleText(QObject::tr("step"));
  auto* ay = new QValueAxis;
  ay->setTitleText(QObject::tr("loss"));
  chart->addAxis(ax, Qt::AlignBottom);
  chart->addAxis(ay, Qt::AlignLeft);
  loss->attachAxis(ax);
  loss->attachAxis(ay);
  ax->setVisible(false);
  ay->setVisible(false);
  return chart;
}
}  // namespace

PrepareDialog::PrepareDialog(const PrepareSetup& initial, QWidget* parent)
    : QDialog(parent), base_(initial) {
  setWindowTitle(tr("Prepare model: importance ordering and super-network training"));
  auto* v = new QVBoxLayout(this);
  auto* intro = new QLabel(
      tr("Sub-networks of an ordinarily fine-tuned BERT are poor. Ordering heads and units by "
         "importance, then training the model as a super-network (each step: the full model, "
         "the smallest and random sub-networks, distilled from the full one), makes them good. "
         "The result becomes the model of the next search."),
      this);
  intro->setWordWrap(true);
  v->addWidget(intro);
  auto* f = new QFormLayout;
  outEdit_ = new QLineEdit(this);
  strategyBox_ = new QComboBox(this);
  strategyBox_->addItem(tr("sandwich (super-network)"), "sandwich");
  strategyBox_->addItem(tr("standard (full model only)"), "standard");
  epochsSpin_ = new QSpinBox(this);
  epochsSpin_->setRange(1, 100);
  lrSpin_ = new QDoubleSpinBox(this);
  lrSpin_->setDecimals(6);
  lrSpin_->setRange(1e-6, 1.0);
  lrSpin_->setSingleStep(1e-5);
  reorderBox_ = new QCheckBox(tr("Order heads and units by importance first"), this);
  subnetsSpin_ = new QSpinBox(this);
  subnetsSpin_->setRange(0, 8);
  maxLenSpin_ = new QSpinBox(this);
  maxLenSpin_->setRange(8, 512);
  batchSpin_ = new QSpinBox(this);
  batchSpin_->setRange(1, 4096);
  deviceBox_ = new QComboBox(this);
  f->addRow(tr("Output directory"), outEdit_);
  f->addRow(tr("Training"), strategyBox_);
  f->addRow(tr("Epochs"), epochsSpin_);
  f->addRow(tr("Learning rate"), lrSpin_);
  f->addRow(QString(), reorderBox_);
  f->addRow(tr("Random sub-networks per step"), subnetsSpin_);
  f->addRow(tr("Max length"), maxLenSpin_);
  f->addRow(tr("Batch size"), batchSpin_);
  f->addRow(tr("Device"), deviceBox_);
  v->addLayout(f);
  progress_ = new QProgressBar(this);
  progress_->setRange(0, 1);
  progress_->setValue(0);
  v->addWidget(progress_);
  status_ = new QLabel(this);
  status_->setWordWrap(true);
  v->addWidget(status_);
  loss_ = new QLineSeries;
  chart_ = new QChartView(lossChart(loss_), this);
  chart_->setRenderHint(QPainter::Antialiasing);
  chart_->setMinimumHeight(220);
  v->addWidget(chart_, 1);
  auto* buttons = new QDialogButtonBox(this);
  startBtn_ = buttons->addButton(tr("Start"), QDialogButtonBox::AcceptRole);
  cancelBtn_ = buttons->addButton(tr("Cancel training"), QDialogButtonBox::ActionRole);
  auto* close = buttons->addButton(QDialogButtonBox::Close);
  cancelBtn_->setEnabled(false);
  v->addWidget(buttons);
  connect(startBtn_, &QPushButton::clicked, this, &PrepareDialog::start);
  connect(cancelBtn_, &QPushButton::clicked, this, &PrepareDialog::cancel);
  connect(close, &QPushButton::clicked, this, [this] {
    if (!busy_) result_.isEmpty() ? reject() : accept();
  });
  setSetup(initial);
  resize(620, 620);
}

PrepareDialog::~PrepareDialog() = default;  // task_ stops and joins the training

PrepareSetup PrepareDialog::setup() const {
  PrepareSetup s = base_;
  s.outDir = outEdit_->text();
  s.strategy = strategyBox_->currentData().toString();
  s.epochs = epochsSpin_->value();
  s.learningRate = lrSpin_->value();
  s.reorder = reorderBox_->isChecked();
  s.randomSubnets = subnetsSpin_->value();
  s.maxLength = maxLenSpin_->value();
  s.batchSize = batchSpin_->value();
  s.device = deviceBox_->currentData().toString();
  return s;
}

namespace {
// Beside the model when its folder can be written to; else (an installed
// demo, a read-only share) in the user's data directory.
QString defaultOutput(const QString& modelDir) {
  const QFileInfo model(QDir::cleanPath(modelDir));
  const QString name = model.fileName() + "-supernet";
  // Beside the model, unless it is one the program ships (the demo, in a
  // source tree's or an install's resources): never written into those.
  const QString parent = model.absolutePath();
  const bool shipped = parent.endsWith("/resources/demo") ||
                       parent.startsWith("/usr/share/paretoprune") ||
                       QFileInfo::exists(parent + "/sentiment-train.tsv");  // the demo's files
  if (!shipped && QFileInfo(parent).isWritable()) return parent + "/" + name;
  return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + "/models/" + name;
}
}  // namespace

void PrepareDialog::setSetup(const PrepareSetup& s) {
  base_ = s;
  outEdit_->setText(s.outDir.isEmpty() ? defaultOutput(s.modelDir) : s.outDir);
  strategyBox_->setCurrentIndex(strategyBox_->findData(s.strategy));
  epochsSpin_->setValue(s.epochs);
  lrSpin_->setValue(s.learningRate);
  reorderBox_->setChecked(s.reorder);
  subnetsSpin_->setValue(s.randomSubnets);
  maxLenSpin_->setValue(s.maxLength);
  batchSpin_->setValue(s.batchSize);
  deviceBox_->clear();
  deviceBox_->addItem(tr("auto (the first GPU, else CPU)"), "auto");
  for (const QString& d : s.devices.isEmpty() ? QStringList{"cpu"} : s.devices)
    if (d == "cpu" || d.startsWith("cuda:")) deviceBox_->addItem(d == "cpu" ? tr("CPU") : d, d);
  const int at = deviceBox_->findData(s.device);
  deviceBox_->setCurrentIndex(at >= 0 ? at : 0);
  status_->setText(
      s.data.validation.empty()
          ? tr("Model %1, data %2 (trains on the %3% the search does not hold out).")
                .arg(s.modelDir, QString::fromStdString(s.data.data))
                .arg(100.0 * (1.0 - s.data.valSplit), 0, 'f', 0)
          : tr("Model %1, data %2.").arg(s.modelDir, QString::fromStdString(s.data.data)));
}

int PrepareDialog::lossPoints() const {
  return loss_->count();
}
QString PrepareDialog::message() const {
  return status_->text();
}

void PrepareDialog::cancel() {
  task_.requestStop();
  status_->setText(
      tr("Stopping after the current step; the last finished epoch stays in the output."));
}

namespace {
pp::TrainOptions trainOptions(const PrepareSetup& s) {
  pp::TrainOptions o;
  o.strategy = s.strategy.toStdString();
  o.epochs = s.epochs;
  o.learningRate = s.learningRate;
  o.reorder = s.reorder;
  o.randomSubnets = s.randomSubnets;
  o.maxLength = s.maxLength;
  o.batchSize = s.batchSize;
  o.keepCheckpoints = false;
  o.device = s.device.toStdString();
  return o;
}

// What a training run's report says: ok when OUT holds a trained model.
std::pair<bool, QString> outcomeOf(const pp::TrainReport& report, const PrepareSetup& s) {
  QString msg;
  if (report.outOfMemory) {
    msg =
        report.suggestedBatchSize > 0
            ? PrepareDialog::tr("%1 ran out of memory at batch size %2: try %3. ")
                  .arg(QString::fromStdString(report.device))
                  .arg(s.batchSize)
                  .arg(report.suggestedBatchSize)
            : PrepareDialog::tr("%1 ran out of memory at batch size 1: try a shorter max length. ")
                  .arg(QString::fromStdString(report.device));
    msg +=
        report.epochs.empty()
            ? PrepareDialog::tr("Nothing was written.")
            : PrepareDialog::tr("%1 holds epoch %2.").arg(s.outDir).arg(report.epochs.back().epoch);
    return {!report.epochs.empty(), msg};
  }
  if (report.stopped) {
    msg = report.epochs.empty()
              ? PrepareDialog::tr("Cancelled before the first epoch ended; nothing was written.")
              : PrepareDialog::tr("Cancelled; %1 holds epoch %2.")
                    .arg(s.outDir)
                    .arg(report.epochs.back().epoch);
    return {!report.epochs.empty(), msg};
  }
  const auto& e = report.epochs.back();
  msg = PrepareDialog::tr("Done: %1. ").arg(s.outDir);
  if (e.validationAccuracy >= 0)
    msg += PrepareDialog::tr("Validation accuracy %1% (smallest sub-network %2%). ")
               .arg(100.0 * e.validationAccuracy, 0, 'f', 2)
               .arg(e.smallestAccuracy >= 0 ? QString::number(100.0 * e.smallestAccuracy, 'f', 2)
                                            : "-");
  msg += PrepareDialog::tr("It is now the model of the next search.");
  return {true, msg};
}
}  // namespace

void PrepareDialog::start() {
  if (busy_) return;
  const PrepareSetup s = setup();
  if (s.modelDir.isEmpty() || s.data.data.empty() || s.outDir.isEmpty()) {
    status_->setText(tr("Choose a model and data in the main window, and an output directory."));
    return;
  }
  busy_ = true;
  result_.clear();
  loss_->clear();
  maxLoss_ = 0.1;
  startBtn_->setEnabled(false);
  cancelBtn_->setEnabled(true);
  status_->setText(tr("Loading..."));
  auto outcome = std::make_shared<std::pair<bool, QString>>(false, QString());
  task_.start([this, s, outcome] { *outcome = train(s); },
              [this, outcome, out = s.outDir](const QString& error) {
                const bool ok = error.isEmpty() && outcome->first;
                const QString msg =
                    error.isEmpty() ? outcome->second : tr("Training failed: %1").arg(error);
                busy_ = false;
                startBtn_->setEnabled(true);
                cancelBtn_->setEnabled(false);
                status_->setText(msg);
                if (ok) result_ = out;
                Q_EMIT finished(ok, msg);
              });
}

// On the task's thread: loads, trains, and says how it went.
std::pair<bool, QString> PrepareDialog::train(const PrepareSetup& s) {
  auto m = pp::Model::load(s.modelDir.toStdString());
  const auto& c = m->config();
  // The search's split: train on what it does not evaluate on.
  const pp::Dataset train = s.data.trainingSet(c);
  const pp::Dataset val = s.data.validationSet(c);
  if (train.examples.empty())
    throw pp::Error(s.data.data + ": no training examples are left after the split");
  const bool hasVal = !val.examples.empty();
  const pp::TrainReport report = pp::trainModel(
      *m, train, hasVal ? &val : nullptr, pp::SearchSpace::defaults(pp::SearchSpace::Kind::Seed, c),
      trainOptions(s), s.outDir.toStdString(), [this](const pp::TrainProgress& p) {
        task_.post([this, p] { showProgress(p); });
        return !task_.stopRequested();
      });
  return outcomeOf(report, s);
}

// On the UI thread: the bar, the loss curve and the line under them.
void PrepareDialog::showProgress(const pp::TrainProgress& p) {
  progress_->setRange(0, static_cast<int>(p.totalSteps));
  progress_->setValue(static_cast<int>(p.step));
  loss_->append(static_cast<double>(p.step), p.fullLoss);
  maxLoss_ = std::max(maxLoss_, p.fullLoss);
  QChart* c = chart_->chart();
  c->setTitle(tr("Training loss (full model)"));
  auto* ax = static_cast<QValueAxis*>(c->axes(Qt::Horizontal).first());
  auto* ay = static_cast<QValueAxis*>(c->axes(Qt::Vertical).first());
  roundValueAxis(ax, 0, static_cast<double>(std::max<int64_t>(p.totalSteps, 1)), 6);
  roundValueAxis(ay, 0, maxLoss_ * 1.05, 5);
  ax->setVisible(true);
  ay->setVisible(true);
  QString line = tr("Epoch %1 of %2, step %3 of %4: loss %5, %6 examples/s, about %7 s left")
                     .arg(p.epoch)
                     .arg(p.epochs)
                     .arg(p.step)
                     .arg(p.totalSteps)
                     .arg(p.fullLoss, 0, 'f', 3)
                     .arg(p.examplesPerSecond, 0, 'f', 0)
                     .arg(p.etaSeconds, 0, 'f', 0);
  if (p.peakDeviceBytes > 0)
    line += tr(", peak device memory %1 GiB")
                .arg(static_cast<double>(p.peakDeviceBytes) / (1 << 30), 0, 'f', 2);
  status_->setText(line);
}

}  // namespace ppui
