#include "ui/recovered_details.h"

#include <QCoreApplication>

namespace ppui {

namespace {
QString tr(const char* text) {
  return QCoreApplication::translate("ppui::MainWindow", text);
}

QString pct(double errorRate) {
  return errorRate < 0 ? QString("-") : QString::number(100.0 * errorRate, 'f', 2) + "%";
}

// An accuracy in `j` as an error rate; -1 when absent.
double errorOf(const nlohmann::json& j, const char* key) {
  const double a = j.is_object() ? j.value(key, -1.0) : -1.0;
  return a < 0 ? -1.0 : 1.0 - a;
}

// Before -> after, with the change in points (green when it fell).
QString beforeAfter(double before, double after) {
  if (before < 0 || after < 0) return pct(before) + " &rarr; " + pct(after);
  const double d = 100.0 * (after - before);
  const QString colour = d < 0 ? "#14825a" : d > 0 ? "#b42828" : "#555555";
  return QString("%1 &rarr; <b>%2</b> <font color=%3>(%4%5)</font>")
      .arg(pct(before), pct(after), colour, d > 0 ? "+" : "")
      .arg(d, 0, 'f', 2);
}
}  // namespace

QString recoveredHow(const pp::RecoveredTrial& r) {
  const auto& d = r.details;
  QString s = QString::fromStdString(r.method);
  if (d.contains("learning_rate") && d["learning_rate"].is_number())
    s += tr(": lr %1").arg(d["learning_rate"].get<double>(), 0, 'g', 2);
  if (d.contains("steps") && d["steps"].is_number_integer())
    s += tr(", %1 steps").arg(d["steps"].get<int64_t>());
  if (d.contains("best_step") && d["best_step"].is_number_integer())
    s += tr(" (best %1)").arg(d["best_step"].get<int64_t>());
  if (d.contains("transfer_set") && d["transfer_set"].is_object()) {
    const auto& v = d["transfer_set"].value("variants", nlohmann::json());
    if (v.is_number_integer() && v.get<int64_t>() > 0)
      s += tr(", %1 variants labelled by the full model").arg(v.get<int64_t>());
  }
  return s;
}

QString recoveredDetailsHtml(const std::vector<const pp::Trial*>& selected,
                             const std::vector<pp::RecoveredTrial>& recovered) {
  QString rows;
  bool byAgreement = false;
  for (const pp::Trial* t : selected)
    for (const auto& r : recovered) {
      if (r.source != t->id) continue;
      const auto& d = r.details;
      const auto hold = d.value("holdout", nlohmann::json::object());
      const auto test = d.value("test", nlohmann::json::object());
      byAgreement = byAgreement || (d.contains("agreement") && d["agreement"].is_object());
      rows += QString(
                  "<tr><td>%1</td><td>%2</td><td align=right>%3</td><td align=right>%4</td>"
                  "<td align=right>%5</td></tr>")
                  .arg(tr("trial %1").arg(t->id), recoveredHow(r).toHtmlEscaped(),
                       beforeAfter(t->errorRate, r.trial.errorRate),
                       beforeAfter(errorOf(hold, "before"), errorOf(hold, "after")),
                       test.empty() ? QString("-")
                                    : beforeAfter(errorOf(test, "before"), errorOf(test, "after")));
    }
  if (rows.isEmpty()) return {};
  return tr("<h4>Recovered: before &rarr; after</h4>") +
         "<table cellspacing=0 cellpadding=4 border=1 style='border-collapse:collapse'><tr>" +
         tr("<th>trial</th><th>how</th><th>validation error</th><th>held-out error</th>"
            "<th>test error</th>") +
         "</tr>" + rows + "</table>" +
         tr("<p>The validation error judges; the held-out part of the training data chose the "
            "learning rate and the stopping step.</p>") +
         (byAgreement ? tr("<p>A distillation with variants chose them by agreement with the "
                           "full model on the held-out sentences and variants of them, so its "
                           "held-out error may rise.</p>")
                      : QString());
}

}  // namespace ppui
