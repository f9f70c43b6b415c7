#include "metric_names.h"

#include <QCoreApplication>

namespace ppui {

namespace {
QString tr(const char* s) {
  return QCoreApplication::translate("ParetoChart", s);
}
}  // namespace

QString yAxisTitle(YMetric m, bool tagger, const std::optional<pp::Trial>& full) {
  switch (m) {
    case YMetric::Error:
      return tagger ? tr("validation error (1 - entity F1)") : tr("validation error");
    case YMetric::Accuracy:
      if (tagger)
        return full ? tr("token accuracy (full model %1 %)").arg(100.0 * full->accuracy, 0, 'f', 1)
                    : tr("token accuracy");
      return full ? tr("accuracy (full model %1 %)").arg(100.0 * full->accuracy, 0, 'f', 1)
                  : tr("accuracy");
    case YMetric::Mcc:
      return tagger ? tr("MCC of word tags") : tr("MCC");
    case YMetric::F1:
      if (tagger)
        return full ? tr("entity F1 (full model %1)").arg(full->f1, 0, 'f', 3) : tr("entity F1");
      return tr("F1");
  }
  return {};
}

QString yMetricName(YMetric m, bool tagger) {
  switch (m) {
    case YMetric::Error:
      return tagger ? tr("Validation error (1 - entity F1)") : tr("Validation error");
    case YMetric::Accuracy:
      return tagger ? tr("Token accuracy") : tr("Accuracy");
    case YMetric::Mcc:
      return tr("MCC");
    case YMetric::F1:
      return tagger ? tr("Entity F1") : tr("F1");
  }
  return {};
}

double yMetricValue(const pp::Trial& t, YMetric m) {
  switch (m) {
    case YMetric::Error:
      return t.errorRate;
    case YMetric::Accuracy:
      return 100.0 * t.accuracy;
    case YMetric::Mcc:
      return t.mcc;
    case YMetric::F1:
      return t.f1;
  }
  return t.errorRate;
}

}  // namespace ppui
