#include "paretoprune/export/export_request.h"

#include <algorithm>
#include <vector>

#include "paretoprune/formats/dataset.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/model.h"
#include "paretoprune/search/run_log.h"

namespace pp {

using nlohmann::json;

namespace {
constexpr size_t kVerifyTexts = 16;  // of ExportRequest::verifyData

std::vector<std::string> verifyTexts(const std::string& file, const ModelConfig& c) {
  std::vector<std::string> texts;
  if (file.empty()) return texts;  // exportSubnetwork's built-in sentences
  const Dataset d = loadDataset(file, c);
  for (size_t i = 0; i < d.examples.size() && i < kVerifyTexts; ++i)
    texts.push_back(d.examples[i].text);
  return texts;
}
}  // namespace

void ExportRequest::takeTrial(const RunHeader& run, const Trial& t, const std::string& where) {
  subnet = t.subnet;
  fromRun = ExportedTrial{t, run, where};
}

json ExportRequest::provenance() const {
  json p = json::object();
  if (fromRun) {
    const DataSplit& d = fromRun->run.data;
    if (!fromRun->where.empty()) p["run_log"] = fromRun->where;
    p["trial"] = fromRun->trial.toJson();
    if (!d.data.empty()) p["data"] = d.data;
    if (!d.validation.empty()) {
      p["validation"] = d.validation;
    } else if (!d.data.empty()) {
      p["val_split"] = d.valSplit;
      p["split_seed"] = d.splitSeed;
    }
  }
  if (!verifyData.empty()) p["verify_data"] = verifyData;
  if (!recovered.is_null()) p["recovered"] = recovered;
  return p;
}

double ExportSummary::parameterShare() const {
  return static_cast<double>(result.parameters) /
         static_cast<double>(std::max<int64_t>(1, sourceParameters));
}

double ExportSummary::mebibytes() const {
  return static_cast<double>(result.bytes) / 1048576.0;
}

bool ExportSummary::onnxChecked() const {
  return format == ExportFormat::Onnx || format == ExportFormat::OnnxInt8;
}

json ExportSummary::toJson() const {
  const ExportResult& r = result;
  return {{"dir", r.dir},
          {"files", r.files},
          {"parameters", r.parameters},
          {"bytes", r.bytes},
          // null: not run in-process (ONNX: checker and shape inference only)
          {"max_logit_diff", logitsCompared() ? json(r.maxLogitDiff) : json()},
          {"label_agreement", logitsCompared() ? json(r.agreement) : json()},
          {"verify_examples", r.verifyExamples},
          {"loads_in", exportFormatLoadsIn(format)},
          {"note", r.note}};
}

ExportSummary runExport(const ExportRequest& r, const Model& m) {
  // A trial describes a sub-network of its run's model: refuse another.
  if (r.fromRun)
    checkRunModel(r.fromRun->run, m.checksum(), r.modelDir,
                  r.fromRun->where.empty() ? std::string("the run") : r.fromRun->where);
  ExportOptions o;
  o.format = r.format;
  o.force = r.force;
  o.padUnits = r.padUnits;
  o.verifyTexts = verifyTexts(r.verifyData, m.config());
  o.provenance = r.provenance();
  ExportSummary s;
  s.result = exportSubnetwork(m, r.subnet, r.outDir, o);
  s.format = r.format;
  s.subnet = r.subnet.summary();
  s.sourceParameters = parameterCount(m.config());
  return s;
}

}  // namespace pp
