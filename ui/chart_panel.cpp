#include "ui/chart_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>

#include "ui/hypervolume_chart.h"
#include "ui/latency_view.h"
#include "ui/parallel_coords.h"
#include "ui/pareto_chart.h"

namespace ppui {

ChartPanel::ChartPanel(QWidget* window) : QObject(window) {
  chart_ = new ParetoChart(window);
  chart_->setFrontInShownPair(true);
  parallel_ = new ParallelCoords(window);
  parallel_->setObjectName("parallelCoords");
  // The metric axis is framed as the chart's y axis (whoever sets the chance level).
  connect(chart_, &ParetoChart::chanceErrorChanged, parallel_, &ParallelCoords::setChanceError);
  hv_ = new HypervolumeChart(window);
  hvPage_ = new QWidget(window);
  auto* hl = new QVBoxLayout(hvPage_);
  auto* overTime = new QCheckBox(tr("Over wall-clock time"), hvPage_);
  hl->addWidget(overTime);
  hl->addWidget(hv_, 1);
  connect(overTime, &QCheckBox::toggled, hv_, &HypervolumeChart::setOverTime);
  latency_ = new LatencyView(window);
}

QWidget* ChartPanel::makeAxesBox(QWidget* parent) {
  auto* viewBox = new QGroupBox(tr("Chart"), parent);
  auto* vf = new QFormLayout(viewBox);
  auto* xBox = new QComboBox(viewBox);
  xBox->addItem(tr("parameters (log)"));
  xBox->addItem(tr("parameters (linear)"));
  xBox->addItem(tr("FLOPs (log)"));
  xBox->addItem(tr("latency (log)"));
  xBox->addItem(tr("size, MB (log)"));
  xBox->setObjectName("xAxis");
  xBox->setToolTip(
      tr("What the chart's x axis shows: the sub-networks' size, compute or "
         "measured latency."));
  vf->addRow(tr("x axis"), xBox);
  auto* yBox = new QComboBox(viewBox);
  yBox->setObjectName("yAxis");
  yBox->setToolTip(tr("What the chart's y axis shows, measured on the validation data."));
  yBox->addItem(tr("validation error"), static_cast<int>(YMetric::Error));
  yBox->addItem(tr("accuracy (%)"), static_cast<int>(YMetric::Accuracy));
  yBox->addItem(tr("MCC"), static_cast<int>(YMetric::Mcc));
  yBox->addItem(tr("F1"), static_cast<int>(YMetric::F1));
  vf->addRow(tr("y axis"), yBox);
  auto* hint = new QLabel(tr("Drag a rectangle on the chart to zoom in; double-click it or press "
                             "Ctrl+0 to see everything again."),
                          viewBox);
  hint->setWordWrap(true);
  hint->setEnabled(false);  // greyed: a hint, not a setting
  vf->addRow(hint);
  yBox_ = yBox;
  connect(yBox, &QComboBox::currentIndexChanged, this, [this, yBox](int) {
    chart_->setYMetric(static_cast<YMetric>(yBox->currentData().toInt()));
    parallel_->setYMetric(static_cast<YMetric>(yBox->currentData().toInt()));
  });
  connect(xBox, &QComboBox::currentIndexChanged, this, [this](int i) {
    chart_->setLogX(i != 1);
    const XMetric x[] = {XMetric::Params, XMetric::Params, XMetric::Flops, XMetric::Latency,
                         XMetric::Size};
    chart_->setXMetric(x[std::clamp(i, 0, 4)]);
  });
  return viewBox;
}

void ChartPanel::setTagger(bool on) {
  chart_->setTagger(on);
  parallel_->setTagger(on);
  if (yBox_) {
    yBox_->setItemText(0, yAxisTitle(YMetric::Error, on, std::nullopt));
    yBox_->setItemText(1, on ? tr("token accuracy (%)") : tr("accuracy (%)"));
    yBox_->setItemText(3, yAxisTitle(YMetric::F1, on, std::nullopt));
  }
}

void ChartPanel::clear() {
  chart_->clear();
  hv_->clear();
}

void ChartPanel::addTrials(const std::vector<pp::Trial>& ts, bool now) {
  for (const auto& t : ts) chart_->queueTrial(t);
  if (now) chart_->flushNow();
}

void ChartPanel::setFront(const std::vector<int64_t>& ids) {
  chart_->setFront(ids);
}

void ChartPanel::setReference(const pp::Trial& full) {
  chart_->setReference(full);
  parallel_->setReference(full);
}

void ChartPanel::setSelection(const std::vector<int64_t>& keys) {
  chart_->setSelection(keys);
  parallel_->setSelection(keys);
}

void ChartPanel::addProgress(const pp::SearchProgress& p) {
  hv_->addPoint(p.done, p.hypervolume, p.elapsedSeconds);
}

void ChartPanel::flush() {
  chart_->flushNow();
}

void ChartPanel::setLatencyCandidates(const QString& modelDir,
                                      const std::vector<pp::Trial>& selected,
                                      std::shared_ptr<ModelCache> models) {
  latency_->setCandidates(modelDir, selected, std::move(models));
}

}  // namespace ppui
