// A trial described for a tooltip (trial_tooltip.h).
#include "ui/trial_tooltip.h"

#include <QLocale>
#include <QStringList>

namespace ppui {

namespace {
QString signedPct(double v) {
  return (v >= 0 ? "+" : "") + QString::number(v, 'f', 0) + "%";
}
}  // namespace

QString trialTooltip(const pp::Trial& t, const std::optional<pp::Trial>& full, bool tagger) {
  QString s = QString("<b>Trial %1</b>: %2<br>")
                  .arg(t.id)
                  .arg(QString::fromStdString(t.subnet.summary()).toHtmlEscaped());
  if (t.subnet.keptLayers() > 0 && t.subnet.summary().find("per-layer") != std::string::npos) {
    QStringList ls;
    for (size_t l = 0; l < t.subnet.layers.size(); ++l)
      if (t.subnet.layers[l].kept())
        ls << QString("L%1: %2H/%3U")
                  .arg(l)
                  .arg(t.subnet.layers[l].heads)
                  .arg(t.subnet.layers[l].units);
    s += ls.join(", ") + "<br>";
  }
  if (!t.ok())
    return s + QString("<i>%1</i> %2")
                   .arg(pp::statusName(t.status))
                   .arg(QString::fromStdString(t.error).toHtmlEscaped());
  if (tagger)  // a tagger's error is 1 - entity F1
    s += QString("entity F1 %1, token accuracy %2%, error %3<br>")
             .arg(t.f1, 0, 'f', 4)
             .arg(100.0 * t.accuracy, 0, 'f', 2)
             .arg(t.errorRate, 0, 'f', 4);
  else
    s += QString("accuracy %1%, error %2<br>")
             .arg(100.0 * t.accuracy, 0, 'f', 2)
             .arg(t.errorRate, 0, 'f', 4);
  s += QString("parameters %1, FLOPs %2 M")
           .arg(QLocale().toString(static_cast<qlonglong>(t.params)))
           .arg(static_cast<double>(t.flops) / 1e6, 0, 'f', 1);
  if (t.latencyMs > 0) s += QString(", latency %1 ms").arg(t.latencyMs, 0, 'f', 2);
  if (full && full->params > 0) {
    QStringList d;
    d << signedPct(100.0 *
                   (static_cast<double>(t.params) / static_cast<double>(full->params) - 1.0)) +
             " parameters";
    if (t.latencyMs > 0 && full->latencyMs > 0)
      d << QString::number(full->latencyMs / t.latencyMs, 'f', 1) + "x faster";
    const double dErr = 100.0 * (t.errorRate - full->errorRate);
    d << QString("%1%2 points error").arg(dErr >= 0 ? "+" : "").arg(dErr, 0, 'f', 1);
    s += "<br><i>vs full model:</i> " + d.join(", ");
  }
  if (!t.screenedPrecision.empty())  // a bf16 search's front candidate, measured again
    s += QString("<br><i>confirmed in %1</i> (%2 said error %3)")
             .arg(QString::fromStdString(t.precision).toHtmlEscaped())
             .arg(QString::fromStdString(t.screenedPrecision).toHtmlEscaped())
             .arg(t.screenedError, 0, 'f', 4);
  else if (!t.precision.empty() && t.precision != "fp32")
    s += QString("<br><i>measured in %1, not confirmed in fp32</i> (it could not reach the front)")
             .arg(QString::fromStdString(t.precision).toHtmlEscaped());
  return s;
}

}  // namespace ppui
