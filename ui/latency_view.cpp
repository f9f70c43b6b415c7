#include "ui/latency_view.h"

#include <QApplication>
#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QHBoxLayout>
#include <QLabel>
#include <QPointer>
#include <QPushButton>
#include <QSpinBox>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <QValueAxis>

#include <cmath>

#include "paretoprune/eval/evaluator.h"
#include "paretoprune/model/model.h"
#include "ui/axis_ticks.h"

namespace ppui {

namespace {
const int64_t kBatches[] = {1, 8, 32};
}

LatencyView::LatencyView(QWidget* parent) : QWidget(parent) {
  auto* v = new QVBoxLayout(this);
  auto* top = new QHBoxLayout;
  measureBtn_ = new QPushButton(tr("Measure latency"), this);
  seqSpin_ = new QSpinBox(this);
  seqSpin_->setRange(8, 512);
  seqSpin_->setValue(64);
  seqSpin_->setPrefix(tr("sequence length "));
  status_ =
      new QLabel(tr("Select up to three trials, then measure them against the full model."), this);
  top->addWidget(measureBtn_);
  top->addWidget(seqSpin_);
  top->addWidget(status_, 1);
  v->addLayout(top);
  auto* row = new QHBoxLayout;
  chart_ = new QChartView(this);
  chart_->setRenderHint(QPainter::Antialiasing);
  chart_->setChart(new QChart);
  chart_->chart()->setTitle(tr("Median time per example by batch size"));
  table_ = new QTextBrowser(this);
  table_->setMinimumWidth(330);
  table_->setMaximumWidth(420);
  row->addWidget(chart_, 1);
  row->addWidget(table_);
  v->addLayout(row, 1);
  connect(measureBtn_, &QPushButton::clicked, this, &LatencyView::measure);
}

LatencyView::~LatencyView() = default;

void LatencyView::setCandidates(const QString& modelDir, const std::vector<pp::Trial>& selected,
                                std::shared_ptr<ModelCache> models) {
  modelDir_ = modelDir;
  selected_ = selected;
  if (models) models_ = std::move(models);
}

int LatencyView::barSets() const {
  int n = 0;
  for (auto* s : chart_->chart()->series())
    if (auto* b = qobject_cast<QBarSeries*>(s)) n += static_cast<int>(b->count());
  return n;
}

void LatencyView::measure() {
  if (busy_ || modelDir_.isEmpty()) return;
  busy_ = true;
  measureBtn_->setEnabled(false);
  status_->setText(tr("Measuring..."));
  const std::string dir = modelDir_.toStdString();
  const auto selected = selected_;
  const int64_t seq = seqSpin_->value();
  auto rows = std::make_shared<std::vector<Row>>();
  task_.start(
      [models = models_, dir, selected, seq, rows] {
        auto m = models->load(dir);
        std::vector<std::pair<QString, pp::SubNetwork>> subs = {
            {QObject::tr("full model"), pp::SubNetwork::full(m->config())}};
        for (const auto& t : selected)
          subs.push_back({QObject::tr("trial %1").arg(t.id), t.subnet});
        for (const auto& [name, s] : subs) {
          Row r;
          r.name = name;
          for (int64_t b : kBatches) {
            pp::LatencyOptions o;
            o.batchSize = b;
            o.seqLen = seq;
            o.runs = b >= 32 ? 5 : 10;
            o.warmup = 1;
            auto st = pp::measureLatency(*m, s, o);
            r.median.push_back(st.medianMs);
            r.p95.push_back(st.p95Ms);
          }
          rows->push_back(r);
        }
      },
      [this, rows](const QString& error) {
        busy_ = false;
        measureBtn_->setEnabled(true);
        if (!error.isEmpty()) {
          status_->setText(tr("Measurement failed: %1").arg(error));
        } else {
          show(*rows);
          status_->setText(tr("Measured on this machine, one thread per request."));
        }
        Q_EMIT measured();
      });
}

void LatencyView::show(const std::vector<Row>& rows) {
  // Per example, so that a batch of 1 and a batch of 32 share one scale
  // (the batch's own median is in the table).
  auto* chart = new QChart;
  chart->setTitle(tr("Median time per example by batch size"));
  chart->setAnimationOptions(QChart::NoAnimation);
  auto* series = new QBarSeries;
  double top = 0;
  for (const auto& r : rows) {
    auto* set = new QBarSet(r.name);
    for (size_t i = 0; i < r.median.size(); ++i) {
      const double perExample = r.median[i] / static_cast<double>(kBatches[i]);
      *set << perExample;
      top = std::max(top, perExample);
    }
    series->append(set);
  }
  chart->addSeries(series);
  auto* ax = new QBarCategoryAxis;
  for (int64_t b : kBatches) ax->append(tr("batch %1").arg(b));
  auto* ay = new QValueAxis;
  // Round ticks (1, 2, 2.5 or 5 times a power of ten) up to just above the
  // tallest bar, labelled with the decimals the step needs (0.025, not 0.03).
  roundValueAxis(ay, 0, top * 1.05 + 1e-9, 6);
  ay->setTitleText(tr("ms"));  // the title says per example; a short tab elided more
  chart->addAxis(ax, Qt::AlignBottom);
  chart->addAxis(ay, Qt::AlignLeft);
  series->attachAxis(ax);
  series->attachAxis(ay);
  QChart* old = chart_->chart();
  chart_->setChart(chart);
  delete old;
  QString h =
      tr("<table cellpadding=3 border=1 style='border-collapse:collapse'><tr><th></th>"
         "<th nowrap>batch</th><th nowrap>median ms</th><th nowrap>p95 ms</th>"
         "<th nowrap>speed-up</th></tr>");
  for (const auto& r : rows)
    for (size_t i = 0; i < r.median.size(); ++i)
      h += QString(
               "<tr><td nowrap>%1</td><td align=right>%2</td><td align=right>%3</td><td "
               "align=right>%4</td>"
               "<td align=right>%5x</td></tr>")
               .arg(i == 0 ? r.name : QString())
               .arg(kBatches[i])
               .arg(r.median[i], 0, 'f', 2)
               .arg(r.p95[i], 0, 'f', 2)
               .arg(rows[0].median[i] / std::max(1e-9, r.median[i]), 0, 'f', 1);
  table_->setHtml(h + "</table>");
}

}  // namespace ppui
