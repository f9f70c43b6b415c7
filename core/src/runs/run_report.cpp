#include "paretoprune/runs/run_report.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <sstream>

#include "base/file_util.h"
#include "cpu/cpu_features.h"
#include "paretoprune/base/chart_frame.h"
#include "paretoprune/base/constrained_pareto.h"
#include "paretoprune/base/error.h"
#include "runs/report_svg.h"

namespace pp {

using svg::escape;
using svg::shortNumber;

namespace {
const Trial* refOf(const OpenedRunLog& run) {
  return run.reference ? &*run.reference : nullptr;
}

std::string fixed(double v, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  std::string out = buf;
  // A value that rounds to zero reads "0.0", not "-0.0".
  if (out[0] == '-' && out.find_first_not_of("-0.") == std::string::npos) out.erase(0, 1);
  return out;
}

std::string objectiveTitle(const std::string& o) {
  if (o == "error") return "validation error";
  if (o == "params") return "parameters";
  if (o == "flops") return "FLOPs per sequence";
  if (o == "latency") return "latency (ms, batch 1)";
  if (o == "mcc") return "1 - MCC";
  if (o == "f1") return "1 - F1";
  return o;
}

Normalizer normalizerFor(const OpenedRunLog& run, const std::vector<std::string>& objectives) {
  Normalizer n;
  for (const auto& o : objectives) {
    double lo = 0, hi = o == "mcc" ? 2 : 1;
    if (o == "params" || o == "flops" || o == "latency") {
      lo = 1e300, hi = 0;
      for (const auto& t : run.log.trials)
        if (t.ok()) {
          lo = std::min(lo, objectiveValue(t, o));
          hi = std::max(hi, objectiveValue(t, o));
        }
      if (run.reference) hi = std::max(hi, objectiveValue(*run.reference, o));
      if (lo > hi) lo = 0;
    }
    n.lo.push_back(lo);
    n.hi.push_back(hi);
  }
  return n;
}

// Where a constraint lies on an objective's axis, when it does. `tagger`:
// the error is 1 - entity F1 (the trial's f1), not 1 - token accuracy.
bool axisBound(const Constraint& c, const std::string& objective, const Trial* ref, bool tagger,
               double& v) {
  const std::string& m = c.metric;
  if (objective == "params" && m == "params") return v = c.bound, true;
  if (objective == "params" && m == "size_mb") return v = c.bound * 1e6 / 4, true;
  if (objective == "params" && m == "params_share" && ref)
    return v = c.bound * static_cast<double>(ref->params), true;
  if (objective == "flops" && m == "flops") return v = c.bound, true;
  if (objective == "flops" && m == "flops_share" && ref)
    return v = c.bound * static_cast<double>(ref->flops), true;
  if (objective == "latency" && m == "latency_ms") return v = c.bound, true;
  if (objective == "error" && m == "error") return v = c.bound, true;
  const std::string score = tagger ? "f1" : "accuracy";
  if (objective == "error" && m == score) return v = 1 - c.bound, true;
  if (objective == "error" && m == score + "_drop" && ref)
    return v = ref->errorRate + c.bound / 100, true;
  if (objective == "f1" && m == "f1") return v = 1 - c.bound, true;
  if (objective == "mcc" && m == "mcc") return v = 1 - c.bound, true;
  return false;
}

std::string imgTag(const std::string& svgText, const std::string& alt) {
  return "<img alt='" + escape(alt) + "' src='data:image/svg+xml;base64," + svg::base64(svgText) +
         "'>";
}

std::string frontChart(const OpenedRunLog& run, const std::vector<std::string>& obj,
                       const std::vector<Constraint>& cs, const std::vector<Pick>& picks) {
  const Trial* ref = refOf(run);
  svg::Chart c;
  c.title = "Trials and the " + std::string(cs.empty() ? "" : "feasible ") + "Pareto front";
  c.xLabel = objectiveTitle(obj[1]);
  c.yLabel = objectiveTitle(obj[0]);
  svg::Series all{svg::Series::Style::Dots, "#9ab", "trials", {}, {}};
  svg::Series bad{svg::Series::Style::Crosses, "#d33", "infeasible", {}, {}};
  svg::Series front{svg::Series::Style::Step, "#e67e22", "Pareto front", {}, {}};
  svg::Series rings{svg::Series::Style::Rings, "#2a7", "recommended", {}, {}};
  const std::vector<std::string> two(obj.begin(), obj.begin() + 2);
  // As the window frames it: with error on y, a trial that lost more than
  // half of the full model's gain over chance level sits on the frame's
  // edge, so the trials worth reading are not squeezed into a band.
  std::optional<double> limit;
  if (obj[0] == "error" && ref && run.log.header.chanceError >= 0)
    limit = frameLimit(ref->errorRate, run.log.header.chanceError, 0.02, false);
  svg::Series far{svg::Series::Style::Crosses, "#777", "far worse (at the edge)", {}, {}};
  double edge = 0;
  if (limit) {
    double top = ref->errorRate;
    for (const auto& t : run.log.trials)
      if (t.ok() && !beyondFrame(t.errorRate, ref->errorRate, *limit))
        top = std::max(top, t.errorRate);
    edge = top + 0.06 * std::max(top - ref->errorRate, 0.01);
  }
  auto beyond = [&](const Trial& t) {
    return limit && beyondFrame(t.errorRate, ref->errorRate, *limit);
  };
  auto xy = [&](const Trial& t) {
    return std::make_pair(objectiveValue(t, obj[1]), beyond(t) ? edge : objectiveValue(t, obj[0]));
  };
  for (const auto& t : run.log.trials)
    if (t.ok() && t.fidelity >= 1.0)
      (beyond(t) ? far : feasible(cs, t, ref) ? all : bad).points.push_back(xy(t));
  for (size_t i : feasibleParetoTrials(run.log.trials, two, cs, ref))
    if (!beyond(run.log.trials[i]))  // the step line starts at the first framed member
      front.points.push_back(xy(run.log.trials[i]));
  for (size_t k = 0; k < picks.size(); ++k) {  // one ring per trial, its picks named together
    const auto at = xy(run.log.trials[picks[k].index]);
    auto same = std::find(rings.points.begin(), rings.points.end(), at);
    if (same == rings.points.end()) {
      rings.points.push_back(at);
      rings.notes.push_back(pickKindName(picks[k].kind));
    } else {
      rings.notes[static_cast<size_t>(same - rings.points.begin())] +=
          std::string(", ") + pickKindName(picks[k].kind);
    }
  }
  if (bad.points.empty()) bad.label.clear();
  if (far.points.empty()) far.label.clear();
  c.series = {all, bad, far, front, rings};
  if (ref)
    c.series.push_back({svg::Series::Style::Rings, "#000", "full model", {xy(*ref)}, {"full"}});
  for (const auto& k : cs) {
    double v = 0;
    for (int axis = 0; axis < 2; ++axis)
      if (axisBound(k, obj[axis == 0 ? 1 : 0], ref, run.log.header.metric == "entity_f1", v)) {
        const bool errorLike =
            axis == 1 && (k.metric == "accuracy" || k.metric == "f1" || k.metric == "mcc");
        c.budgets.push_back({axis == 0, v, k.atMost != errorLike, k.text()});
      }
  }
  return imgTag(svg::render(c), "front chart");
}

std::string hypervolumeChart(const std::vector<double>& hv) {
  svg::Chart c;
  c.title = "Hypervolume of the feasible front over trials";
  c.xLabel = "trials";
  c.yLabel = "hypervolume (normalised)";
  c.height = 300;
  c.yFromZero = true;
  svg::Series s{svg::Series::Style::Line, "#2c7fb8", "", {}, {}};
  for (size_t i = 0; i < hv.size(); ++i) s.points.push_back({static_cast<double>(i + 1), hv[i]});
  if (s.points.empty()) s.points.push_back({0, 0});
  c.series = {s};
  return imgTag(svg::render(c), "hypervolume curve");
}
}  // namespace

std::vector<double> feasibleHypervolumeCurve(const OpenedRunLog& run,
                                             const std::vector<std::string>& objectives,
                                             const std::vector<Constraint>& cs) {
  const Normalizer n = normalizerFor(run, objectives);
  const Trial* ref = refOf(run);
  std::vector<double> out;
  std::vector<Point> pts;
  std::vector<double> viol;
  for (const auto& t : run.log.trials) {
    if (t.ok() && t.fidelity >= 1.0) {
      pts.push_back(n.apply(objectiveVector(t, objectives)));
      viol.push_back(violation(cs, t, ref));
      std::vector<Point> front;
      for (size_t i : feasibleFront(pts, viol)) front.push_back(pts[i]);
      out.push_back(hypervolume(front, Point(objectives.size(), 1.1)));
    } else {
      out.push_back(out.empty() ? 0.0 : out.back());
    }
  }
  return out;
}

namespace {
std::string cell(const std::string& s) {
  return "<td>" + escape(s) + "</td>";
}

std::string frontTable(const OpenedRunLog& run, const std::vector<std::string>& obj,
                       const std::vector<Constraint>& cs, const std::vector<Pick>& picks) {
  const Trial* ref = refOf(run);
  std::ostringstream o;
  o << "<table><tr><th>trial</th><th>sub-network</th><th>" << pointsName(run.log.header.metric)
    << "</th><th>change (points)</th>"
       "<th>parameters</th><th>share</th><th>FLOPs/seq</th><th>latency (ms)</th>"
       "<th>size (MB, fp32)</th><th>pick</th></tr>\n";
  auto row = [&](const Trial& t, const std::string& name, const std::string& pick) {
    o << "<tr" << (pick.empty() ? "" : " class='pick'") << ">" << cell(name)
      << cell(t.subnet.summary()) << cell(fixed(100 * (1 - t.errorRate), 2) + "%")
      << cell(ref ? fixed(-pointsBelow(t, *ref), 1) : "")
      << cell(shortNumber(static_cast<double>(t.params)))
      << cell(ref && ref->params > 0
                  ? fixed(100.0 * static_cast<double>(t.params) / static_cast<double>(ref->params),
                          1) +
                        "%"
                  : "")
      << cell(shortNumber(static_cast<double>(t.flops)))
      << cell(t.latencyMs > 0 ? fixed(t.latencyMs, 2) : "not measured")
      << cell(fixed(4.0 * static_cast<double>(t.params) / 1e6, 1)) << cell(pick) << "</tr>\n";
  };
  if (ref) row(*ref, "full model", "");
  // The front, then any pick off it (the fastest need not be on an error-params front).
  auto rows = feasibleParetoTrials(run.log.trials, obj, cs, ref);
  for (const auto& p : picks)
    if (std::find(rows.begin(), rows.end(), p.index) == rows.end()) rows.push_back(p.index);
  for (size_t i : rows) {
    std::string pick;
    for (const auto& p : picks)
      if (p.index == i) pick += (pick.empty() ? "" : ", ") + std::string(pickKindName(p.kind));
    row(run.log.trials[i], std::to_string(run.log.trials[i].id), pick);
  }
  o << "</table>\n";
  return o.str();
}

std::string picksList(const OpenedRunLog& run, const std::vector<Pick>& picks,
                      const std::string& empty) {
  if (picks.empty()) return "<p>" + escape(empty) + "</p>\n";
  std::string s = "<ul>\n";
  for (const auto& p : picks) {
    const Trial& t = run.log.trials[p.index];
    s += "<li><b>" + std::string(pickKindName(p.kind)) + "</b>: trial " + std::to_string(t.id) +
         " (" + escape(t.subnet.summary()) + ", accuracy " + fixed(100 * t.accuracy, 2) + "%, " +
         shortNumber(static_cast<double>(t.params)) + " parameters" +
         (t.latencyMs > 0 ? ", " + fixed(t.latencyMs, 2) + " ms" : "") + "): " + escape(p.reason) +
         "</li>\n";
  }
  return s + "</ul>\n";
}

std::string objectiveList(const std::vector<std::string>& obj) {
  std::string s;
  for (const auto& o : obj) s += (s.empty() ? "" : ", ") + o;
  return s;
}

std::string kv(const std::string& k, const std::string& v) {
  return "<tr><th>" + escape(k) + "</th><td>" + escape(v) + "</td></tr>\n";
}

std::string settingsSection(const OpenedRunLog& run, const std::vector<Constraint>& cs) {
  const RunHeader& h = run.log.header;
  std::string objectives, constraints;
  for (const auto& o : h.objectives) objectives += (objectives.empty() ? "" : ", ") + o;
  for (const auto& c : cs) constraints += (constraints.empty() ? "" : ", ") + c.text();
  std::string s =
      "<table>\n" + kv("model", h.model) + kv("strategy", h.strategy) +
      kv("seed", std::to_string(h.seed)) + kv("objectives", objectives) +
      kv("constraints", constraints.empty() ? "none" : constraints) +
      kv("trials", std::to_string(run.log.trials.size()) + " of " + std::to_string(h.trials)) +
      kv("search space", h.space.is_null() ? "" : h.space.dump()) +
      kv("multi-fidelity", h.multiFidelity ? "yes" : "no") + kv("data", h.data.data) +
      kv("validation", h.data.validation.empty()
                           ? "a " + fixed(100 * h.data.valSplit, 0) + "% split of the data"
                           : h.data.validation) +
      kv("validation examples", std::to_string(h.validationExamples)) + "</table>\n";
  if (h.autoChoices.is_array() && !h.autoChoices.empty()) {
    s += "<h3>Chosen "
         "automatically</h3>\n<table><tr><th>setting</th><th>value</th><th>why</th></tr>\n";
    for (const auto& a : h.autoChoices) {  // in a user's words; the evidence on hover
      const std::string reason = a.value("reason", ""), summary = a.value("summary", "");
      s += "<tr>" + cell(a.value("setting", "")) + cell(a.value("value", "")) + "<td title='" +
           escape(reason) + "'>" + escape(summary.empty() ? reason : summary) + "</td></tr>\n";
    }
    s += "</table>\n";
  }
  return s;
}

std::string machineSection(const OpenedRunLog& run) {
  const RunHeader& h = run.log.header;
  std::string devices;
  for (const auto& d : h.devices) devices += (devices.empty() ? "" : ", ") + d;
  double evalSeconds = 0;
  size_t failed = 0;
  for (const auto& t : run.log.trials) {
    if (t.evalSeconds > 0) evalSeconds += t.evalSeconds;
    failed += t.status == Trial::Status::Failed;
  }
  std::string s = "<table>\n" + kv("devices", devices.empty() ? "not recorded" : devices);
  if (h.extra.contains("gemm") && h.extra["gemm"].is_string())
    s += kv("matrix products", h.extra["gemm"].get<std::string>());
  if (h.execRates.is_object())
    for (auto it = h.execRates.begin(); it != h.execRates.end(); ++it)
      s += kv("measured rates on " + it.key(), it.value().dump());
  s += kv("report written on", cpuFeatures().model.empty() ? "unknown CPU" : cpuFeatures().model);
  s += kv("evaluation time", fixed(evalSeconds, 1) + " s over " +
                                 std::to_string(run.log.trials.size()) + " trials (" +
                                 std::to_string(failed) + " failed)");
  if (run.reference && run.reference->latencyMs > 0)
    s += kv("full model latency", fixed(run.reference->latencyMs, 2) + " ms (batch 1, median)");
  for (const auto& st : run.log.stops)
    s += kv("session ended",
            st.kind + " after " + std::to_string(st.trials) + " trials: " + st.reason);
  return s + "</table>\n";
}

const char* kStyle =
    "body{font-family:sans-serif;max-width:980px;margin:2em auto;color:#222}"
    "table{border-collapse:collapse;margin:0.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;"
    "text-align:left;font-size:13px}tr.pick{background:#e8f6ee}img{display:block;margin:1em 0}";
}  // namespace

std::string runReportHtml(const OpenedRunLog& run, const ReportOptions& options) {
  const RunHeader& h = run.log.header;
  ReportOptions o = options;
  o.recommend.metric = h.metric;
  const std::string chance = chanceLevelNote(refOf(run), h.chanceError, h.metric);
  const auto cs = parseConstraints(o.constraints.empty() ? h.constraints : o.constraints);
  checkConstraintsUsable(cs, refOf(run));
  const auto& obj = h.objectives;
  const auto picks = recommendPicks(run.log.trials, obj, cs, refOf(run), o.recommend);
  const std::string name = std::filesystem::path(h.model).filename().string();
  std::ostringstream s;
  s << "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>ParetoPrune report: "
    << escape(name) << "</title><style>" << kStyle
    << "</style></head><body>\n<h1>ParetoPrune run: " << escape(name)
    << "</h1>\n<p>Run log: " << escape(o.logPath) << "</p>\n<h2>Recommended picks</h2>\n"
    << (chance.empty() ? "" : "<p><b>Warning:</b> " + escape(chance) + ".</p>\n")
    << picksList(run, picks,
                 cs.empty() ? "No trial to recommend." : "No trial meets every constraint.");
  if (!cs.empty()) {
    s << "<h3>Without the constraints</h3>\n"
      << picksList(run, recommendPicks(run.log.trials, obj, {}, refOf(run), o.recommend),
                   "No trial to recommend.");
  }
  s << "<h2>Front</h2>\n"
    << frontChart(run, obj, cs, picks) << "\n"
    << hypervolumeChart(feasibleHypervolumeCurve(run, obj, cs)) << "\n<h2>The "
    << (cs.empty() ? "" : "feasible ") << "Pareto set (" << escape(objectiveList(obj))
    << ") and the picks</h2>\n"
    << frontTable(run, obj, cs, picks) << "<h2>Settings</h2>\n"
    << settingsSection(run, cs) << "<h2>Machine and times</h2>\n"
    << machineSection(run) << "</body></html>\n";
  return s.str();
}

void writeRunReport(const OpenedRunLog& run, const ReportOptions& o, const std::string& out,
                    bool force) {
  if (!force && fileutil::exists(out))
    throw Error(out + " exists; pass --force to replace it, or choose another --out");
  fileutil::writeFileAtomic(out, runReportHtml(run, o));
}

}  // namespace pp
