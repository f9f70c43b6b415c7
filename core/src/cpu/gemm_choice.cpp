#include "cpu/gemm_choice.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>

#include <nlohmann/json.hpp>

#include "base/compute_team.h"
#include "base/file_util.h"
#include "paretoprune/base/error.h"
#include "paretoprune/base/json_parse.h"
#include "paretoprune/cpu/gemm.h"

namespace pp {

namespace {

// Bumped when our packed kernel changes in a way that moves its speed.
constexpr const char* kPackedKernelVersion = "packed-avx2 1, int8-vnni 2";

std::string planName(const GemmPlan& p) {
  return std::string(gemmBackendName(p.backend)) + " " + gemmTypeName(p.type);
}

std::string fmtRate(double gflops) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", gflops);
  return buf;
}

std::string cacheFile(const GemmChoiceRequest& r) {
  std::string dir = r.cacheDir;
  if (dir.empty()) {
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    const char* home = std::getenv("HOME");
    if (xdg && *xdg)
      dir = std::string(xdg) + "/paretoprune";
    else if (home && *home)
      dir = std::string(home) + "/.cache/paretoprune";
    else
      return "";
  }
  return dir + "/gemm-choice.json";
}

// GFLOP/s of each plan: every team thread runs `rows` rows through every
// shape on its own, as the evaluation pass's row blocks do; the plans
// timed in turn, best of five rounds after a warm-up (in turn, so that
// another process's load hits every plan alike).
std::vector<double> measure(const GemmChoiceRequest& r, const std::vector<GemmPlan>& plans) {
  int64_t maxN = 1, maxK = 1;
  double flop = 0;
  for (const GemmShape& s : r.shapes) {
    maxN = std::max(maxN, s.n);
    maxK = std::max(maxK, s.k);
    flop += 2.0 * static_cast<double>(r.rows * s.n * s.k) * r.threads;
  }
  uint32_t seed = 12345;
  auto next = [&] {
    seed = seed * 1664525u + 1013904223u;
    return static_cast<float>(seed >> 8) / 16777216.0f - 0.5f;
  };
  std::vector<float> w(static_cast<size_t>(maxN * maxK)), bias(static_cast<size_t>(maxN));
  for (auto& x : w) x = next();
  for (auto& x : bias) x = next();
  const size_t per = static_cast<size_t>(r.rows * std::max(maxN, maxK));
  std::vector<float> a(per * static_cast<size_t>(r.threads)), c(a.size());
  for (auto& x : a) x = next();
  std::vector<std::vector<GemmWeights>> prepared;
  for (const GemmPlan& p : plans) {
    prepared.emplace_back();
    for (const GemmShape& s : r.shapes)
      prepared.back().emplace_back(p, std::vector<RowSource>{{w.data(), s.n, s.k, 1.0f}}, s.k);
  }
  auto run = [&](size_t i) {
    const auto t0 = std::chrono::steady_clock::now();
    runOnTeam(r.threads, [&](int64_t t) {
      float* at = a.data() + per * static_cast<size_t>(t);
      float* ct = c.data() + per * static_cast<size_t>(t);
      for (const GemmWeights& g : prepared[i])
        g.run(at, g.inFeatures(), r.rows, bias.data(), ct, g.outFeatures());
    });
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  std::vector<double> best(plans.size(), 1e300);
  for (size_t i = 0; i < plans.size(); ++i) run(i);  // warm-up: primitives, pages
  for (int round = 0; round < 5; ++round)
    for (size_t i = 0; i < plans.size(); ++i) best[i] = std::min(best[i], run(i));
  std::vector<double> rates;
  for (double s : best) rates.push_back(flop / std::max(s, 1e-9) / 1e9);
  return rates;
}

// Int8: the int8 candidates alone (int8 is asked for its numerics, not
// chosen over fp32 for speed), the fastest kept.
GemmChoice measuredInt8(const GemmChoiceRequest& r) {
  std::vector<GemmPlan> plans;
  for (GemmBackend b : allGemmBackends())
    if (gemmUnavailable(b, GemmType::Int8, r.cpu).empty()) plans.push_back({b, GemmType::Int8});
  const std::vector<double> rates = measure(r, plans);
  GemmChoice c;
  c.how = "measured";
  size_t best = 0;
  for (size_t i = 0; i < plans.size(); ++i) {
    c.rates.push_back({planName(plans[i]), rates[i]});
    if (rates[i] > rates[best]) best = i;
  }
  c.plan = plans[best];
  return c;
}

GemmChoice measured(const GemmChoiceRequest& r) {
  if (r.type == GemmType::Int8) return measuredInt8(r);
  std::vector<GemmPlan> plans;
  for (GemmBackend b : allGemmBackends())
    if (gemmUnavailable(b, GemmType::Float32, r.cpu).empty())
      plans.push_back({b, GemmType::Float32});
  if (r.type == GemmType::BFloat16) plans.push_back({GemmBackend::Onednn, GemmType::BFloat16});
  if (plans.empty()) throw Error("no GEMM backend can run on this machine");
  const std::vector<double> rates = measure(r, plans);
  GemmChoice c;
  c.how = "measured";
  size_t bestFp32 = 0;
  for (size_t i = 0; i < plans.size(); ++i) {
    c.rates.push_back({planName(plans[i]), rates[i]});
    if (plans[i].type == GemmType::Float32 && rates[i] > rates[bestFp32]) bestFp32 = i;
  }
  c.plan = plans[bestFp32];
  if (r.type == GemmType::BFloat16) {
    const double bf16 = rates.back();
    if (bf16 > rates[bestFp32]) {
      c.plan = plans.back();
    } else {
      c.reason = "bf16 products measured slower than fp32 here (" + fmtRate(bf16) + " against " +
                 fmtRate(rates[bestFp32]) + " GFLOP/s): running fp32";
    }
  }
  return c;
}

nlohmann::json toJson(const GemmChoice& c) {
  nlohmann::json rates = nlohmann::json::array();  // in the order measured
  for (const auto& [name, v] : c.rates) rates.push_back({name, v});
  return {{"backend", gemmBackendName(c.plan.backend)},
          {"type", gemmTypeName(c.plan.type)},
          {"reason", c.reason},
          {"rates", rates}};
}

bool fromJson(const nlohmann::json& j, GemmChoice& c) {
  try {
    c.plan.backend = parseGemmBackend(j.at("backend").get<std::string>());
    const std::string type = j.at("type").get<std::string>();
    c.plan.type = type == "bf16"   ? GemmType::BFloat16
                  : type == "int8" ? GemmType::Int8
                                   : GemmType::Float32;
    c.reason = j.at("reason").get<std::string>();
    for (const auto& r : j.at("rates"))
      c.rates.push_back({r.at(0).get<std::string>(), r.at(1).get<double>()});
    return true;
  } catch (const std::exception&) {
    return false;  // an entry from another version: measured again
  }
}

nlohmann::json readCache(const std::string& path) {
  try {
    if (!path.empty() && fileutil::exists(path)) {
      auto j = parseJson(fileutil::readFile(path), path);
      if (j.is_object() && j.contains("entries") && j["entries"].is_object()) return j;
    }
  } catch (const std::exception&) {
  }
  return {{"entries", nlohmann::json::object()}};
}

}  // namespace

std::string GemmChoice::line() const {
  std::string s = planName(plan) + " (" + how;
  if (!rates.empty()) {
    s += ":";
    for (size_t i = 0; i < rates.size(); ++i)
      s += (i ? ", " : " ") + rates[i].first + " " + fmtRate(rates[i].second);
    s += " GFLOP/s";
  }
  s += ")";
  if (!reason.empty()) s += "; " + reason;
  return s;
}

std::vector<GemmShape> modelGemmShapes(const ModelConfig& c) {
  const int64_t H = c.hidden_size, hd = c.num_attention_heads * c.headSize();
  return {{3 * hd, H}, {H, hd}, {c.intermediate_size, H}, {H, c.intermediate_size}};
}

std::string gemmLibraryVersions() {
  return std::string(kPackedKernelVersion) + "; " + blasVersion() + "; " + onednnVersion();
}

std::string gemmCacheKey(const GemmChoiceRequest& r) {
  std::string shapes;
  for (const GemmShape& s : r.shapes)
    shapes += std::to_string(s.n) + "x" + std::to_string(s.k) + " ";
  return r.cpu.model + " [" + r.cpu.extensions() + "] | threads " + std::to_string(r.threads) +
         " | " + (r.versions.empty() ? gemmLibraryVersions() : r.versions) + " | " +
         gemmTypeName(r.type) + " | rows " + std::to_string(r.rows) + " | " + shapes;
}

GemmChoice chooseGemm(const GemmChoiceRequest& r) {
  if (r.type == GemmType::BFloat16) {
    const std::string why = gemmUnavailable(GemmBackend::Onednn, GemmType::BFloat16, r.cpu);
    if (!why.empty()) throw Error("bf16 refused: " + why + "; use --precision fp32");
  }
  if (!r.forced.empty() && r.forced != "auto") {
    GemmChoice c;
    c.plan = {parseGemmBackend(r.forced), r.type};
    if (r.type == GemmType::Int8 && c.plan.backend == GemmBackend::Blas)
      throw Error("int8 refused: " + gemmUnavailable(c.plan.backend, r.type, r.cpu) + " (forced)");
    if (r.type == GemmType::BFloat16 && c.plan.backend != GemmBackend::Onednn)
      throw Error(std::string("bf16 refused: products in bf16 run on onednn, not ") +
                  gemmBackendName(c.plan.backend) + " (forced)");
    const std::string why = gemmUnavailable(c.plan.backend, c.plan.type, r.cpu);
    if (!why.empty()) throw Error("GEMM backend " + r.forced + " cannot run here: " + why);
    c.how = "forced";
    return c;
  }
  const std::string path = cacheFile(r), key = gemmCacheKey(r);
  nlohmann::json cache = readCache(path);
  GemmChoice c;
  if (cache["entries"].contains(key) && fromJson(cache["entries"][key], c)) {
    c.how = "cached from an earlier measurement";
    return c;
  }
  c = measured(r);
  if (!path.empty()) {
    try {
      std::filesystem::create_directories(std::filesystem::path(path).parent_path());
      cache = readCache(path);  // another process may have written since
      cache["entries"][key] = toJson(c);
      fileutil::writeFileAtomic(path, cache.dump(1));
    } catch (const std::exception&) {
      // A cache that cannot be written: measured again next time.
    }
  }
  return c;
}

namespace {
std::mutex choiceMutex;  // guards forcedName and choices
std::string forcedName;
std::map<std::string, GemmChoice> choices;
}  // namespace

void setGemmBackend(const std::string& name) {
  if (!name.empty() && name != "auto") parseGemmBackend(name);
  std::lock_guard<std::mutex> lk(choiceMutex);
  forcedName = name;
}

GemmChoice gemmChoiceFor(const ModelConfig& c, GemmType type) {
  GemmChoiceRequest r;
  r.shapes = modelGemmShapes(c);
  r.threads = teamThreads();
  r.type = type;
  {
    std::lock_guard<std::mutex> lk(choiceMutex);
    r.forced = forcedName;
  }
  if (r.forced.empty()) {
    const char* env = std::getenv("PARETOPRUNE_GEMM");
    if (env && *env) r.forced = env;
  }
  const std::string memo = r.forced + " | " + gemmCacheKey(r);
  std::lock_guard<std::mutex> lk(choiceMutex);  // one measurement at a time
  auto it = choices.find(memo);
  if (it != choices.end()) return it->second;
  GemmChoice choice = chooseGemm(r);
  if (choice.how == "forced")
    choice.how = forcedName.empty() ? "forced by PARETOPRUNE_GEMM" : "forced by --gemm";
  choices[memo] = choice;
  return choice;
}

std::string gemmChoiceLine(const ModelConfig& c, const std::string& precision) {
  const GemmType t = precision == "bf16"   ? GemmType::BFloat16
                     : precision == "int8" ? GemmType::Int8
                                           : GemmType::Float32;
  return "GEMM: " + gemmChoiceFor(c, t).line() + " [" + std::to_string(teamThreads()) + " threads]";
}

std::string cpuDescription() {
  const CpuFeatures& f = cpuFeatures();
  return f.model + "; " + f.extensions();
}

}  // namespace pp
