#include "paretoprune/search/shape_constraints.h"
#include "paretoprune/base/json_parse.h"

#include <cstdio>

#include "paretoprune/base/error.h"
#include "paretoprune/formats/config.h"
#include "paretoprune/formats/subnet.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/search/search_space.h"

namespace pp {

namespace {
std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}
}  // namespace

bool knownBeforeEvaluation(const Constraint& c) {
  const std::string& m = c.metric;
  return m == "params" || m == "params_share" || m == "flops" || m == "flops_share" ||
         m == "size_mb";
}

ShapeConstraints::ShapeConstraints(const std::vector<Constraint>& cs, const ModelConfig& c,
                                   int64_t flopsLength)
    : config_(std::make_shared<const ModelConfig>(c)), flopsLength_(flopsLength) {
  for (const auto& x : cs)
    if (knownBeforeEvaluation(x)) cs_.push_back(x);
  if (!cs_.empty()) full_ = counted(SubNetwork::full(c));
}

Trial ShapeConstraints::counted(const SubNetwork& s) const {
  Trial t;
  t.subnet = s;
  t.params = parameterCount(*config_, s);
  t.flops = flopCount(*config_, s, flopsLength_);
  return t;
}

double ShapeConstraints::violation(const SubNetwork& s) const {
  if (cs_.empty()) return 0;
  return pp::violation(cs_, counted(s), &full_);
}

void ShapeConstraints::checkReachable(const SearchSpace& space) const {
  if (cs_.empty()) return;
  const Trial small = counted(space.smallest()), large = counted(space.largest());
  for (const auto& c : cs_) {
    const Trial& best = c.atMost ? small : large;
    if (constraintMiss(c, best, &full_) <= 0) continue;
    throw Error("constraint " + quoteText(c.text()) +
                ": no sub-network of the search space meets it (" +
                (c.atMost ? "the smallest has " : "the largest has ") + c.metric + " " +
                number(constraintValue(c, best, &full_)) + ")");
  }
}

std::string ShapeConstraints::text() const {
  std::string out;
  for (const auto& c : cs_) out += (out.empty() ? "" : ", ") + c.text();
  return out;
}

}  // namespace pp
