#include "ui/setup_check.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFileInfo>
#include <QStringList>

#include <nlohmann/json.hpp>

#include "paretoprune/base/error.h"
#include "paretoprune/base/json_parse.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/model/model_config.h"
#include "paretoprune/search/search_space.h"

namespace ppui {

namespace {
QString tr(const char* text) {
  return QCoreApplication::translate("ppui::SetupPanel", text);
}

SetupCheck problem(const QString& m) {
  return {false, m};
}
}  // namespace

std::optional<DataChecks::Result> DataChecks::check(const QString& file, const pp::ModelConfig& c,
                                                    const pp::DataColumns& cols, bool cachedOnly) {
  const QFileInfo fi(file);
  QString key = file + '\n' + QString::number(fi.size()) + '\n' +
                QString::number(fi.lastModified().toMSecsSinceEpoch()) + '\n' +
                QString::fromStdString(cols.text + '\t' + cols.pair + '\t' + cols.label);
  for (const auto& l : c.id2label) key += '\t' + QString::fromStdString(l);
  {
    QMutexLocker lock(&mu_);
    if (auto it = done_.find(key); it != done_.end()) return *it;
  }
  if (cachedOnly) return std::nullopt;
  Result r;
  try {
    const pp::Dataset d = pp::loadDataset(file.toStdString(), c, cols);
    const auto counts = d.labelCounts(c.numLabels());
    QStringList byLabel;
    for (size_t i = 0; i < counts.size(); ++i)
      byLabel << QString("%1 %2").arg(QString::fromStdString(c.id2label[i])).arg(counts[i]);
    int64_t words = 0;
    for (const auto& e : d.examples) words += static_cast<int64_t>(e.words.size());
    r = {true, d.tagged ? tr("%1: %2 tagged sentences, %3 words (%4)")
                              .arg(fi.fileName())
                              .arg(d.examples.size())
                              .arg(words)
                              .arg(byLabel.join(", "))
                        : tr("%1: %2 examples (%3)")
                              .arg(fi.fileName())
                              .arg(d.examples.size())
                              .arg(byLabel.join(", "))};
  } catch (const pp::Error& e) {
    // Core names the command line's options; here they are the panel's fields.
    r = {false, QString::fromStdString(e.what())
                    .replace("with --text-column", tr("in the Text column field"))
                    .replace("with --pair-column", tr("in the Second text field"))
                    .replace("with --label-column", tr("in the Label column field"))};
  }
  QMutexLocker lock(&mu_);
  done_.insert(key, r);
  return r;
}

std::optional<SetupCheck> checkSetup(const SearchSetup& s, DataChecks& checks, bool cachedOnly) {
  if (s.modelDir.isEmpty()) return problem(tr("Choose a model directory."));
  pp::ModelConfig c;
  try {
    c = pp::loadModelConfig((s.modelDir + "/config.json").toStdString());
  } catch (const pp::Error& e) {
    return problem(QString::fromStdString(e.what()));
  }
  if (s.dataFile.isEmpty()) return problem(tr("Choose a data file."));
  if (!s.storage.isEmpty() && s.study.isEmpty())
    return problem(tr("Name the study to drive in the database."));
  if (!s.storage.isEmpty() && !s.logPath.isEmpty())
    return problem(tr("A study in a database keeps the run: leave the run log empty."));
  if (!s.spaceJson.isEmpty()) {
    try {
      pp::SearchSpace::fromJson(pp::parseJson(s.spaceJson.toStdString(), "JSON"), c);
    } catch (const std::exception& e) {
      return problem(tr("Search space: %1").arg(QString::fromStdString(e.what())));
    }
  }
  const pp::DataColumns cols{s.textColumn.toStdString(), s.pairColumn.toStdString(),
                             s.labelColumn.toStdString()};
  QStringList parts;
  for (const QString& f : {s.dataFile, s.validationFile}) {
    if (f.isEmpty()) continue;
    const auto r = checks.check(f, c, cols, cachedOnly);
    if (!r) return std::nullopt;
    if (!r->ok) return problem(r->text);
    parts << r->text;
  }
  return SetupCheck{true, parts.join("\n") + tr("\nLabels match the model.")};
}

}  // namespace ppui
