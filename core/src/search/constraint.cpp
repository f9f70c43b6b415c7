#include "paretoprune/search/constraint.h"
#include "paretoprune/base/json_parse.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "paretoprune/base/constrained_pareto.h"
#include "paretoprune/base/error.h"

namespace pp {

namespace {
struct MetricInfo {
  const char* name;
  double unit;    // the scale of a miss when the bound is smaller
  double lo, hi;  // the range a bound may take
  bool relative;  // measured against the full model
};

constexpr double kBig = 1e15;
const MetricInfo kMetrics[] = {
    {"latency_ms", 1, 0, kBig, false}, {"latency_p95_ms", 1, 0, kBig, false},
    {"params", 1e6, 0, kBig, false},   {"params_share", 0.01, 0, 1, true},
    {"flops", 1e6, 0, kBig, false},    {"flops_share", 0.01, 0, 1, true},
    {"size_mb", 1, 0, kBig, false},    {"error", 0.01, 0, 1, false},
    {"accuracy", 0.01, 0, 1, false},   {"f1", 0.01, 0, 1, false},
    {"mcc", 0.01, -1, 1, false},       {"accuracy_drop", 1, -100, 100, true},
    {"f1_drop", 1, -100, 100, true},   {"mcc_drop", 1, -200, 200, true},
};

const MetricInfo* findMetric(const std::string& name) {
  for (const auto& m : kMetrics)
    if (name == m.name) return &m;
  return nullptr;
}

std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t") - a + 1);
}

std::string shortNumber(double v) {
  std::string s = std::to_string(v);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

double share(double part, double whole) {
  return whole > 0 ? part / whole : 0.0;
}
}  // namespace

std::vector<std::string> constraintMetrics() {
  std::vector<std::string> out;
  for (const auto& m : kMetrics) out.push_back(m.name);
  return out;
}

std::string Constraint::text() const {
  return metric + (atMost ? "<=" : ">=") + shortNumber(bound);
}

Constraint parseConstraint(const std::string& text) {
  const std::string where = "constraint \"" + text + "\": ";
  size_t op = text.find_first_of("<>=!");
  if (op == std::string::npos)
    throw Error(where + "no comparison (write e.g. latency_ms<=5 or accuracy>=0.8)");
  Constraint c;
  c.metric = trim(text.substr(0, op));
  const size_t opEnd = std::min(text.find_first_not_of("<>=!", op), text.size());
  const std::string comparison = text.substr(op, opEnd - op);
  if (comparison != "<=" && comparison != ">=")
    throw Error(where + "unknown comparison " + quoteText(comparison) + " (use <= or >=)");
  c.atMost = comparison == "<=";
  const MetricInfo* m = findMetric(c.metric);
  if (c.metric.empty()) throw Error(where + "no metric before the comparison");
  if (!m) {
    std::string names;
    for (const auto& n : constraintMetrics()) names += (names.empty() ? "" : ", ") + n;
    throw Error(where + "unknown metric " + quoteText(c.metric) + " (" + names + ")");
  }
  const std::string value = trim(text.substr(opEnd));
  if (value.empty()) throw Error(where + "no value after the comparison");
  char* end = nullptr;
  c.bound = std::strtod(value.c_str(), &end);
  if (end == value.c_str() || *end != '\0' || !std::isfinite(c.bound))
    throw Error(where + quoteText(value) + " is not a number" +
                (end != value.c_str() && *end != '\0' ? " (give it without a unit)" : ""));
  if (c.bound < m->lo || c.bound > m->hi)
    throw Error(where + c.metric + " must lie between " + shortNumber(m->lo) + " and " +
                shortNumber(m->hi) + ", got " + value);
  return c;
}

std::vector<Constraint> parseConstraints(const std::vector<std::string>& texts) {
  std::vector<Constraint> out;
  for (const auto& t : texts) out.push_back(parseConstraint(t));
  return out;
}

std::vector<std::string> constraintTexts(const std::vector<Constraint>& cs) {
  std::vector<std::string> out;
  for (const auto& c : cs) out.push_back(c.text());
  return out;
}

bool needsReference(const Constraint& c) {
  const MetricInfo* m = findMetric(c.metric);
  return m && m->relative;
}

void checkConstraintsUsable(const std::vector<Constraint>& cs, const Trial* ref) {
  for (const auto& c : cs)
    if (needsReference(c) && !ref)
      throw Error("constraint \"" + c.text() +
                  "\" is measured against the full model, and this run has no full-model "
                  "trial (evaluate the full model, or give an absolute limit)");
}

double constraintValue(const Constraint& c, const Trial& t, const Trial* ref) {
  const std::string& n = c.metric;
  if (needsReference(c) && !ref)
    throw Error("constraint " + quoteText(c.text()) + " needs the full model");
  if (n == "latency_ms") return t.latencyMs;
  if (n == "latency_p95_ms") return t.latencyP95Ms;
  if (n == "params") return static_cast<double>(t.params);
  if (n == "params_share")
    return share(static_cast<double>(t.params), static_cast<double>(ref->params));
  if (n == "flops") return static_cast<double>(t.flops);
  if (n == "flops_share")
    return share(static_cast<double>(t.flops), static_cast<double>(ref->flops));
  if (n == "size_mb") return 4.0 * static_cast<double>(t.params) / 1e6;
  if (n == "error") return t.errorRate;
  if (n == "accuracy") return t.accuracy;
  if (n == "f1") return t.f1;
  if (n == "mcc") return t.mcc;
  if (n == "accuracy_drop") return 100.0 * (ref->accuracy - t.accuracy);
  if (n == "f1_drop") return 100.0 * (ref->f1 - t.f1);
  if (n == "mcc_drop") return 100.0 * (ref->mcc - t.mcc);
  throw Error("unknown constraint metric " + quoteText(n));
}

double constraintMiss(const Constraint& c, const Trial& t, const Trial* ref) {
  const double v = constraintValue(c, t, ref);
  const double miss = c.atMost ? v - c.bound : c.bound - v;
  if (!(miss > 0)) return std::isnan(miss) ? 1.0 : 0.0;
  const MetricInfo* m = findMetric(c.metric);
  return miss / std::max(std::abs(c.bound), m->unit);
}

double violation(const std::vector<Constraint>& cs, const Trial& t, const Trial* ref) {
  double sum = 0;
  for (const auto& c : cs) sum += constraintMiss(c, t, ref);
  return sum;
}

std::vector<size_t> feasibleParetoTrials(const std::vector<Trial>& trials,
                                         const std::vector<std::string>& objectives,
                                         const std::vector<Constraint>& cs, const Trial* ref) {
  std::vector<Point> pts;
  std::vector<double> viol;
  std::vector<size_t> index;
  for (size_t i = 0; i < trials.size(); ++i)
    if (trials[i].ok() && trials[i].fidelity >= 1.0) {
      pts.push_back(objectiveVector(trials[i], objectives));
      viol.push_back(violation(cs, trials[i], ref));
      index.push_back(i);
    }
  std::vector<size_t> out;
  for (size_t k : feasibleFront(pts, viol)) out.push_back(index[k]);
  return out;
}

}  // namespace pp
