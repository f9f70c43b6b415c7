#include "ui/selection_details.h"

#include <QCoreApplication>
#include <QLocale>

#include <algorithm>

#include "ui/entity_type_table.h"

namespace ppui {

namespace {
QString tr(const char* text) {
  return QCoreApplication::translate("ppui::MainWindow", text);
}

// One row per measure: the full model's column, then each selected trial's.
// A tagger's first score is entity F1, then token accuracy (no MCC).
QString comparisonTable(const std::vector<const pp::Trial*>& sel, const QStringList& titles,
                        const std::optional<pp::Trial>& ref, bool tagger) {
  QString h =
      "<table cellspacing=0 cellpadding=4 border=1 style='border-collapse:collapse'><tr><th></th>";
  if (ref) h += tr("<th>full model</th>");
  for (const QString& title : titles) h += QString("<th>%1</th>").arg(title.toHtmlEscaped());
  h += "</tr>";
  auto row = [&](const QString& name, auto fmt) {
    h += "<tr><td><b>" + name + "</b></td>";
    if (ref) h += "<td align=right>" + fmt(*ref) + "</td>";
    for (const auto* t : sel) h += "<td align=right>" + fmt(*t) + "</td>";
    h += "</tr>";
  };
  row(tr("sub-network"), [](const pp::Trial& t) {
    return QString::fromStdString(t.subnet.summary()).toHtmlEscaped();
  });
  auto score = [&](double pp::Trial::*field) {
    return [&, field](const pp::Trial& t) {
      QString s = QString::number(100.0 * (t.*field), 'f', 2) + "%";
      if (ref && &t != &*ref)
        s += QString(" (%1%2)")
                 .arg(t.*field >= (*ref).*field ? "+" : "")
                 .arg(100.0 * (t.*field - (*ref).*field), 0, 'f', 1);
      return s;
    };
  };
  if (tagger) row(tr("entity F1"), score(&pp::Trial::f1));
  row(tagger ? tr("token accuracy") : tr("accuracy"), score(&pp::Trial::accuracy));
  row(tr("parameters"), [&](const pp::Trial& t) {
    QString s = QLocale().toString(static_cast<qlonglong>(t.params));
    if (ref && ref->params > 0)
      s += QString(" (%1%)").arg(
          100.0 * static_cast<double>(t.params) / static_cast<double>(ref->params), 0, 'f', 0);
    return s;
  });
  row(tr("FLOPs / sequence"), [](const pp::Trial& t) {
    return QString::number(static_cast<double>(t.flops) / 1e6, 'f', 1) + " M";
  });
  row(tr("latency (median / p95)"), [&](const pp::Trial& t) {
    if (t.latencyMs <= 0) return QString("-");
    QString s = QString("%1 / %2 ms").arg(t.latencyMs, 0, 'f', 2).arg(t.latencyP95Ms, 0, 'f', 2);
    if (ref && ref->latencyMs > 0 && &t != &*ref)
      s += QString(" (%1x)").arg(ref->latencyMs / t.latencyMs, 0, 'f', 1);
    return s;
  });
  if (!tagger)
    row(tr("MCC / F1"), [](const pp::Trial& t) {
      return QString("%1 / %2").arg(t.mcc, 0, 'f', 3).arg(t.f1, 0, 'f', 3);
    });
  row(tr("evaluated"), [](const pp::Trial& t) {
    if (t.evalSeconds < 0) return QString("-");
    return QString("%1 s, %2")
        .arg(t.evalSeconds, 0, 'f', 2)
        .arg(QString::fromStdString(t.mode.empty() ? "-" : t.mode));
  });
  return h + "</table>";
}

// Per-layer diagram: one row per source layer, bars for heads and units.
QString layerDiagram(const pp::Trial& t, const pp::ModelConfig& c) {
  QString h = QString("<h4>Trial %1: layers</h4><table cellspacing=1 cellpadding=0>")
                  .arg(t.id);  // ids repeat only across compared runs
  for (size_t l = 0; l < t.subnet.layers.size(); ++l) {
    const auto& ch = t.subnet.layers[l];
    const int64_t H = c.num_hidden_layers > 0 ? c.headsInLayer(static_cast<int64_t>(l)) : 1;
    const int64_t U =
        c.num_hidden_layers > 0 ? std::max<int64_t>(1, c.unitsInLayer(static_cast<int64_t>(l))) : 1;
    const int hw = static_cast<int>(120.0 * static_cast<double>(ch.heads) /
                                    static_cast<double>(std::max<int64_t>(1, H)));
    const int uw = static_cast<int>(180.0 * static_cast<double>(ch.units) / static_cast<double>(U));
    h += QString(
             "<tr><td>L%1&nbsp;</td><td width=124><table cellspacing=0 cellpadding=0><tr><td "
             "width=%2 "
             "bgcolor=#e07820 height=10></td><td width=%3 bgcolor=#eeeeee></td></tr></table></td>"
             "<td>&nbsp;%4&nbsp;</td><td width=184><table cellspacing=0 "
             "cellpadding=0><tr><td width=%5 "
             "bgcolor=#4a78b0 height=10></td><td width=%6 bgcolor=#eeeeee></td></tr></table></td>"
             "<td>&nbsp;%7%8</td></tr>")
             .arg(l)
             .arg(std::max(1, hw))
             .arg(std::max(1, 120 - hw))
             .arg(ch.heads == 1 ? tr("1 head") : tr("%1 heads").arg(ch.heads))
             .arg(std::max(1, uw))
             .arg(std::max(1, 180 - uw))
             .arg(ch.units == 1 ? tr("1 unit") : tr("%1 units").arg(ch.units))
             .arg(ch.kept() ? QString() : tr(" (removed)"));
  }
  return h + "</table>";
}
}  // namespace

QString selectionDetailsHtml(const std::vector<const pp::Trial*>& selected,
                             const QStringList& titles, const std::optional<pp::Trial>& full,
                             const pp::ModelConfig& config) {
  if (selected.empty())
    return tr(
        "<p>Click points on the chart (shift-click adds, up to three) or rows of the table to "
        "compare "
        "sub-networks with the full model.</p>");
  QString h = comparisonTable(selected, titles, full, config.tokenClassification());
  if (config.tokenClassification()) h += entityTypeTableHtml(selected, titles, full);
  for (const auto* t : selected) h += layerDiagram(*t, config);
  return h;
}

}  // namespace ppui
