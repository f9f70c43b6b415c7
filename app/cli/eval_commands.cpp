// eval and predict.
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "data_options.h"
#include "format.h"
#include "paretoprune/base/error.h"
#include "paretoprune/cpu/gemm.h"
#include "paretoprune/eval/evaluator.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/formats/subnet.h"
#include "paretoprune/formats/tokenizer.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/model.h"
#include "paretoprune/search/training_data.h"
#include "tagging_output.h"
#include "text_input.h"

namespace ppcli {

using nlohmann::json;

namespace {
struct EvalArgs {
  std::string model, subnet;
  bool masked = false, sliced = false;
  DataOptions data;
  int latencyRuns = 10;
  int64_t latencyBatch = 1, latencySeq = 128;
  std::string precision = "fp32", device = "cpu";
  std::string tagScheme = "auto";
};

pp::SubNetwork subnetFor(const std::string& arg, const pp::Model& m) {
  return arg.empty() ? pp::SubNetwork::full(m.config()) : pp::SubNetwork::parse(arg, m.config());
}
}  // namespace

namespace {
// How the sub-network runs, and its latency measurement.
void addExecutionOptions(CLI::App& cmd, EvalArgs& a) {
  cmd.add_option("--precision", a.precision,
                 "fp32, bf16, int8 (the onnx-int8 export's numerics, CPU) or fp16 (GPU only)")
      ->capture_default_str();
  cmd.add_option("--device", a.device, "cpu or cuda:N (auto: the first CUDA device, else cpu)")
      ->capture_default_str();
  auto* mk = cmd.add_flag("--masked", a.masked, "Run with masks over the full weights");
  cmd.add_flag("--sliced", a.sliced, "Run on sliced (smaller) weights")->excludes(mk);
  cmd.add_option("--latency-runs", a.latencyRuns, "Timed runs for latency (0: skip)")
      ->capture_default_str();
  cmd.add_option("--latency-batch", a.latencyBatch, "Batch size of the latency runs")
      ->capture_default_str();
  cmd.add_option("--latency-length", a.latencySeq, "Sequence length of the latency runs and FLOPs")
      ->capture_default_str();
}

pp::EvalOptions evalOptions(const EvalArgs& a) {
  pp::EvalOptions opts;
  opts.mode = a.masked   ? pp::ExecMode::Masked
              : a.sliced ? pp::ExecMode::Sliced
                         : pp::ExecMode::Auto;
  opts.precision = pp::parsePrecision(a.precision);
  opts.device = pp::resolveDevices(a.device).front();
  opts.measureLatency = a.latencyRuns > 0;
  opts.latency.runs = a.latencyRuns;
  opts.latency.batchSize = a.latencyBatch;
  opts.latency.seqLen = a.latencySeq;
  opts.tagScheme = pp::parseTagScheme(a.tagScheme);
  return opts;
}

// One evaluation, as the tool reports it.
struct EvalReport {
  pp::SubNetwork subnet;
  pp::EvalResult result;
  size_t examples = 0;
  double paddingFraction = 0;
  int64_t fullParams = 0;
  bool fullModel = false;
  bool latency = false;      // measured
  int64_t cutSentences = 0;  // a tagger's sentences cut to the maximum length
  std::string gemm;          // the products' backend and why (CPU only)
};

void printEvalJson(const EvalArgs& a, const EvalReport& e) {
  const pp::EvalResult& r = e.result;
  json j = {{"model", a.model},
            {"subnet", e.subnet.toJson()},
            {"examples", e.examples},
            {"accuracy", r.metrics.accuracy},
            {"error", r.metrics.error},
            {"mcc", r.metrics.mcc},
            {"f1", r.metrics.f1},
            {"parameters", r.params},
            {"parameters_full", e.fullParams},
            {"flops", r.flops},
            {"flops_seq_len", a.latencySeq},
            {"mode", pp::execModeName(r.modeUsed)},
            {"eval_seconds", r.evalSeconds},
            {"padding_fraction", e.paddingFraction},
            {"precision", a.precision},
            {"gemm", e.gemm}};
  if (r.tagger) j["entities"] = entityJson(r.entities, e.cutSentences);
  if (e.latency)
    j["latency_ms"] = {{"median", r.latency.medianMs},
                       {"p95", r.latency.p95Ms},
                       {"batch", a.latencyBatch},
                       {"length", a.latencySeq}};
  std::cout << j.dump(2) << "\n";
}

void printEvalText(const EvalArgs& a, const EvalReport& e) {
  const pp::EvalResult& r = e.result;
  std::cout << "model        " << a.model << "\n"
            << "sub-network  " << e.subnet.summary() << (e.fullModel ? " (full model)" : "") << "\n"
            << "examples     " << e.examples << " (padding " << fixed(100 * e.paddingFraction, 1)
            << "%)\n"
            << (r.tagger ? ""
                         : "accuracy     " + fixed(r.metrics.accuracy, 4) + "   error " +
                               fixed(r.metrics.error, 4) + "   MCC " + fixed(r.metrics.mcc, 4) +
                               "   F1 " + fixed(r.metrics.f1, 4) + "\n");
  if (r.tagger) printEntityTable(std::cout, r.entities, e.cutSentences);
  std::cout << "parameters   " << thousands(r.params) << " ("
            << fixed(100.0 * static_cast<double>(r.params) / static_cast<double>(e.fullParams), 1)
            << "% of the full model)\n"
            << "FLOPs/seq    " << si(static_cast<double>(r.flops)) << " at length " << a.latencySeq
            << "\n";
  if (e.latency)
    std::cout << "latency      " << fixed(r.latency.medianMs, 3) << " ms median, "
              << fixed(r.latency.p95Ms, 3) << " ms p95 (batch " << a.latencyBatch << ", length "
              << a.latencySeq << ", sliced)\n";
  if (!e.gemm.empty()) std::cout << e.gemm << "\n";
  std::cout << "mode         " << pp::execModeName(r.modeUsed) << "\n"
            << "eval time    " << fixed(r.evalSeconds, 3) << " s\n";
}

void runEval(const EvalArgs& a, const GlobalOptions& g) {
  applyThreads(g);
  auto model = pp::Model::load(a.model);
  const auto& c = model->config();
  EvalReport e;
  e.subnet = subnetFor(a.subnet, *model);
  pp::Dataset val = a.data.validationSet(c);
  // The data evaluated, when it is the file itself, is what a warning names.
  const std::string evaluated = !a.data.validation.empty() ? a.data.validation
                                : a.data.valSplit > 0      ? std::string()
                                                           : a.data.data;
  const std::string seen =
      pp::seenWarning(pp::seenInTraining(model->directory(), a.data.split(), val, c), evaluated);
  if (!seen.empty()) std::cerr << "paretoprune-cli: warning: " << seen << "\n";
  pp::EncodeOptions eo;
  eo.maxLength = a.data.maxLength;
  eo.batchSize = a.data.batchSize;
  pp::EncodedData enc(*model, val, eo);
  const pp::EvalOptions opts = evalOptions(a);
  if (opts.device == "cpu") e.gemm = pp::gemmChoiceLine(c, pp::precisionName(opts.precision));
  e.result = pp::evaluate(*model, e.subnet, enc, opts);
  e.examples = enc.size();
  e.paddingFraction = enc.paddingFraction();
  e.cutSentences = enc.cutSentences();
  e.fullParams = pp::parameterCount(c);
  e.fullModel = e.subnet.isFull(c);
  e.latency = opts.measureLatency;
  if (g.json)
    printEvalJson(a, e);
  else
    printEvalText(a, e);
}
}  // namespace

void addEvalCommand(CLI::App& app, GlobalOptions& g) {
  auto a = std::make_shared<EvalArgs>();
  auto* cmd = app.add_subcommand("eval", "Evaluate the model or a sub-network on labelled data");
  cmd->add_option("MODEL", a->model, "Model directory")->required();
  a->data.add(*cmd, 0.0);
  cmd->add_option(
      "--subnet", a->subnet,
      "Sub-network: JSON text or file, {\"num_layers\":L,\"num_heads\":H,\"num_units\":U} or "
      "{\"layers\":[{\"heads\":H,\"units\":U},...]} (default: the full model)");
  addExecutionOptions(*cmd, *a);
  cmd->add_option("--tag-scheme", a->tagScheme,
                  "A tagger's tagging scheme: auto (from the tags), iob1, iob2 (bio) or iobes")
      ->capture_default_str();
  cmd->callback([a, &g] { runEval(*a, g); });
}

namespace {
// Predicts as lines arrive: a batch runs when it is full or when no more
// input is waiting, so a piped file runs in batches and a user typing gets
// each answer at once. Each answer names its input line; a bad line is
// answered in place with {"line", "error"} and reported on stderr; a blank
// line gets no answer.
class Predictor {
 public:
  Predictor(const pp::Model& m, pp::SubNetwork s, int64_t maxLen)
      : m_(m), s_(std::move(s)), maxLen_(maxLen) {}

  void add(const TextInput& in) {
    pp::Example e;
    if (m_.config().tokenClassification()) {  // a tagger: the line's words
      if (in.hasPair) throw pp::Error("a tagger reads one text per line, not pairs");
      pending_.tagged = true;
      spans_.push_back(splitWords(in.text));
      for (const auto& w : spans_.back()) e.words.push_back(w.word);
      e.tags.assign(e.words.size(), 0);
    }
    e.text = in.text;
    e.pair = in.pair;
    e.single = !in.hasPair;
    e.label = 0;
    e.line = in.line;
    pending_.hasPair = pending_.hasPair || in.hasPair;
    pending_.examples.push_back(std::move(e));
    if (pending_.examples.size() >= 64) flush();
  }

  void bad(int64_t line, const std::string& message) {
    flush();
    ++bad_;
    std::cout << json{{"line", line}, {"error", message}}.dump() << "\n" << std::flush;
    std::cerr << "paretoprune-cli: " << message << "\n";
  }

  void flush() {
    if (pending_.examples.empty()) return;
    pp::EncodeOptions eo;
    eo.maxLength = maxLen_;
    pp::EncodedData enc(m_, pending_, eo);
    const auto& names = m_.config().id2label;
    const auto all = pp::computeLogits(m_, s_, enc, pp::ExecMode::Auto);
    // Each answer names its input line (blank lines have none), so answers
    // and inputs join whatever was skipped or refused between them.
    for (size_t i = 0; i < all.size() && pending_.tagged; ++i) {
      json out = taggedLine(pending_.examples[i].text, spans_[i], all[i], names);
      out["line"] = pending_.examples[i].line;
      std::cout << out.dump() << "\n";
    }
    for (size_t i = 0; i < all.size() && !pending_.tagged; ++i) {
      const auto& l = all[i];
      size_t best = 0;
      for (size_t k = 1; k < l.size(); ++k)
        if (l[k] > l[best]) best = k;
      std::string arr = "[";
      for (size_t k = 0; k < l.size(); ++k) arr += (k ? "," : "") + exactFloat(l[k]);
      arr += "]";
      std::cout << "{\"line\":" << pending_.examples[i].line
                << ",\"label\":" << json(names[best]).dump() << ",\"label_id\":" << best
                << ",\"logits\":" << arr << "}\n";
    }
    std::cout << std::flush;
    done_ += static_cast<int64_t>(pending_.examples.size());
    pending_ = pp::Dataset{};
    spans_.clear();
  }

  int64_t badLines() const { return bad_; }
  int64_t predicted() const { return done_; }

 private:
  const pp::Model& m_;
  pp::SubNetwork s_;
  int64_t maxLen_;
  pp::Dataset pending_;
  std::vector<std::vector<WordSpan>> spans_;  // a tagger's words of each pending line
  int64_t bad_ = 0, done_ = 0;
};
}  // namespace

void addPredictCommand(CLI::App& app, GlobalOptions& g) {
  auto model = std::make_shared<std::string>();
  auto subnet = std::make_shared<std::string>();
  auto maxLen = std::make_shared<int64_t>(512);
  auto* cmd = app.add_subcommand(
      "predict",
      "Predict labels for lines on stdin: JSON {\"text\":..,\"pair\":..} or plain text; each "
      "answer names its line (blank lines are skipped)");
  cmd->add_option("MODEL", *model, "Model directory")->required();
  cmd->add_option("--subnet", *subnet, "Sub-network (JSON text or file; default: the full model)");
  cmd->add_option("--max-length", *maxLen, "Truncate to this many tokens")->capture_default_str();
  cmd->callback([model, subnet, maxLen, &g] {
    applyThreads(g);
    auto m = pp::Model::load(*model);
    Predictor p(*m, subnetFor(*subnet, *m), *maxLen);
    std::ios::sync_with_stdio(false);  // lets in_avail() see what is already buffered
    forEachTextLine(
        std::cin, [&](const TextInput& in) { p.add(in); },
        [&](int64_t line, const std::string& message) { p.bad(line, message); },
        [&] { p.flush(); });
    p.flush();
    if (p.badLines() > 0)
      throw pp::Error(std::to_string(p.badLines()) + " line(s) could not be read (" +
                      std::to_string(p.predicted()) + " predicted)");
  });
}

}  // namespace ppcli
