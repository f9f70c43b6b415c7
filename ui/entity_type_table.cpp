#include "ui/entity_type_table.h"

#include <QCoreApplication>

#include <algorithm>
#include <set>
#include <string>

namespace ppui {

namespace {
QString tr(const char* text) {
  return QCoreApplication::translate("ppui::MainWindow", text);
}

const pp::TypeF1* typeOf(const pp::Trial& t, const std::string& type) {
  for (const auto& x : t.typeF1)
    if (x.type == type) return &x;
  return nullptr;
}

// F1 in percent, with its change in points against the full model's.
QString cell(const std::optional<double>& f1, const std::optional<double>& fullF1) {
  if (!f1) return "-";
  QString s = QString::number(100.0 * *f1, 'f', 1);
  if (fullF1) {
    const double d = 100.0 * (*f1 - *fullF1);
    s += QString(" (%1%2)").arg(d >= 0 ? "+" : "").arg(d, 0, 'f', 1);
  }
  return s;
}
}  // namespace

QString entityTypeTableHtml(const std::vector<const pp::Trial*>& sel, const QStringList& titles,
                            const std::optional<pp::Trial>& full) {
  std::set<std::string> types;
  for (const auto* t : sel)
    for (const auto& x : t->typeF1) types.insert(x.type);
  if (full)
    for (const auto& x : full->typeF1) types.insert(x.type);
  QString h = tr("<h4>Entity F1 by type</h4>") +
              "<table cellspacing=0 cellpadding=4 border=1 style='border-collapse:collapse'>"
              "<tr><th></th>";
  if (full) h += tr("<th>full model</th>");
  for (const QString& title : titles) h += QString("<th>%1</th>").arg(title.toHtmlEscaped());
  h += "</tr>";
  auto row = [&](const QString& name, auto f1Of) {
    const std::optional<double> fullF1 = full ? f1Of(*full) : std::nullopt;
    h += "<tr><td><b>" + name + "</b></td>";
    if (full) h += "<td align=right>" + cell(fullF1, std::nullopt) + "</td>";
    for (const auto* t : sel) h += "<td align=right>" + cell(f1Of(*t), fullF1) + "</td>";
    h += "</tr>";
  };
  row(tr("all types"), [](const pp::Trial& t) { return std::optional<double>(t.f1); });
  for (const auto& type : types)
    row(QString::fromStdString(type).toHtmlEscaped(), [&](const pp::Trial& t) {
      const pp::TypeF1* x = typeOf(t, type);
      return x ? std::optional<double>(x->f1) : std::nullopt;
    });
  h += "</table>";
  if (types.empty())
    h +=
        tr("<p><i>This run's trials do not record F1 by entity type (a log written before "
           "they did).</i></p>");
  return h;
}

}  // namespace ppui
