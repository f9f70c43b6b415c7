#include "paretoprune/runs/run_compare.h"

#include <algorithm>
#include <filesystem>
#include <limits>

#include "model/checksum.h"
#include "paretoprune/base/error.h"
#include "paretoprune/formats/subnet.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/runs/study.h"
#include "paretoprune/runs/study_store.h"
#include "paretoprune/search/search_space.h"

namespace pp {

namespace {

// The sequence length a logged FLOP count was measured at (the latency
// length of that run), found from the full model's or a trial's count; 0
// when neither gives one.
int64_t flopsSeqLen(const ModelConfig& c, const SubNetwork& s, int64_t flops) {
  int64_t lo = 1, hi = 1 << 16;
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (flopCount(c, s, mid) < flops)
      lo = mid + 1;
    else
      hi = mid;
  }
  return flopCount(c, s, lo) == flops ? lo : 0;
}

int64_t runSeqLen(const OpenedRunLog& r) {
  const ModelConfig& c = r.config;
  if (r.reference) return flopsSeqLen(c, SubNetwork::full(c), r.reference->flops);
  for (const auto& t : r.log.trials)
    if (t.ok() && t.flops > 0) return flopsSeqLen(c, t.subnet, t.flops);
  return 0;
}

// The smallest sub-network of the run's space, if its header has one.
std::optional<SubNetwork> smallestOf(const OpenedRunLog& r) {
  const auto& space = r.log.header.space;
  if (!space.is_object()) return std::nullopt;
  try {
    return SearchSpace::fromJson(space, r.config).smallest();
  } catch (const Error&) {
    return std::nullopt;
  }
}

std::string uniqueLabel(const RunSource& source, const std::vector<ComparedRun>& runs) {
  std::string stem =
      source.isStudy() ? source.study : std::filesystem::path(source.logPath).stem().string();
  if (stem.empty()) stem = source.logPath;
  std::string label = stem;
  for (int n = 2;; ++n) {
    const bool taken = std::any_of(runs.begin(), runs.end(),
                                   [&](const ComparedRun& r) { return r.label == label; });
    if (!taken) return label;
    label = stem + " (" + std::to_string(n) + ")";
  }
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}

}  // namespace

Normalizer sharedNormalizer(const std::vector<ComparedRun>& runs,
                            const std::vector<std::string>& objectives) {
  std::vector<const OpenedRunLog*> opened;
  for (const auto& r : runs) opened.push_back(&r.run);
  return sharedNormalizer(opened, objectives);
}

Normalizer sharedNormalizer(const std::vector<const OpenedRunLog*>& runs,
                            const std::vector<std::string>& objectives) {
  Normalizer n;
  const double inf = std::numeric_limits<double>::infinity();
  for (const auto& o : objectives) {
    double lo = 0, hi = 1;
    if (o == "mcc") hi = 2;
    if (o == "params" || o == "flops" || o == "latency") {
      lo = o == "latency" ? 0 : inf;
      hi = 0;
      for (const OpenedRunLog* run : runs) {
        const OpenedRunLog& r = *run;
        const ModelConfig& c = r.config;
        if (o == "params") {
          hi = std::max(hi, static_cast<double>(parameterCount(c)));
          if (auto s = smallestOf(r)) lo = std::min(lo, static_cast<double>(parameterCount(c, *s)));
        } else if (o == "flops") {
          const int64_t len = runSeqLen(r);
          if (len > 0) {
            hi = std::max(hi, static_cast<double>(flopCount(c, SubNetwork::full(c), len)));
            if (auto s = smallestOf(r))
              lo = std::min(lo, static_cast<double>(flopCount(c, *s, len)));
          }
        } else if (r.reference && r.reference->latencyMs > 0) {
          hi = std::max(hi, r.reference->latencyMs);
        }
        // Bounds the headers cannot give come from the trials themselves.
        for (const auto& t : r.log.trials)
          if (t.ok()) {
            const double v = objectiveValue(t, o);
            lo = std::min(lo, v);
            hi = std::max(hi, v);
          }
      }
      if (!(lo < inf)) lo = 0;
      if (hi <= lo) hi = lo + 1;
    }
    n.lo.push_back(lo);
    n.hi.push_back(hi);
  }
  return n;
}

std::vector<double> hypervolumeByTrial(const std::vector<Trial>& trials,
                                       const std::vector<std::string>& objectives,
                                       const Normalizer& n) {
  std::vector<double> out;
  out.reserve(trials.size());
  std::vector<Point> front;
  double hv = 0;
  for (const auto& t : trials) {
    if (t.ok() && t.fidelity >= 1.0) {
      const Point p = objectiveVector(t, objectives);
      const bool covered = std::any_of(front.begin(), front.end(),
                                       [&](const Point& q) { return q == p || dominates(q, p); });
      if (!covered) {
        front.push_back(p);
        std::vector<Point> kept;
        for (size_t i : paretoFront(front)) kept.push_back(front[i]);
        front.swap(kept);
        hv = normalizedHypervolume(front, n);
      }
    }
    out.push_back(hv);
  }
  return out;
}

RunSource RunSource::parse(const std::string& text) {
  // NAME@postgresql://... or NAME@postgres://...: the first such "@" ends
  // the name, which may hold "/" and "@" itself.
  RunSource s;
  size_t at = std::string::npos;
  for (const char* scheme : {"@postgresql://", "@postgres://"})
    at = std::min(at, text.find(scheme));
  if (at != std::string::npos && at > 0) {
    s.study = text.substr(0, at);
    s.storage = text.substr(at + 1);
  } else {
    s.logPath = text;
  }
  return s;
}

std::string RunSource::text() const {
  return isStudy() ? study + "@" + storage : logPath;
}

std::string RunSource::display() const {
  return isStudy() ? study + "@" + redactUrl(storage) : redactUrl(logPath);
}

OpenedRunLog RunSource::open(const std::string& modelDir, BadLines bad) const {
  return isStudy() ? openStudy(storage, study, modelDir) : openRunLog(logPath, modelDir, bad);
}

namespace {
// Are two runs of one model? Checksums of one kind compare as they are; an
// older log's (FNV-1a of the weights) and a newer one's (SHA-256) are each
// checked against the first run's model on disk.
bool sameModel(const ComparedRun& first, const ComparedRun& r) {
  const std::string& a = first.run.log.header.modelChecksum;
  const std::string& b = r.run.log.header.modelChecksum;
  if (a.empty() || b.empty()) return false;
  if (isLegacyChecksum(a) == isLegacyChecksum(b)) return a == b;
  const std::string& dir = first.run.modelDir;
  const std::string now = modelChecksum(dir);
  return checksumMatches(a, now, dir) && checksumMatches(b, now, dir);
}
}  // namespace

RunComparison compareRuns(const std::vector<std::string>& sources, const CompareOptions& options) {
  std::vector<RunSource> parsed;
  for (const auto& text : sources) parsed.push_back(RunSource::parse(text));
  return compareRuns(parsed, options);
}

RunComparison compareRuns(const std::vector<RunSource>& sources, const CompareOptions& options) {
  if (sources.empty()) throw Error("no runs to compare");
  RunComparison cmp;
  for (const auto& source : sources) {
    ComparedRun r;
    r.source = source;
    r.logPath = r.source.display();
    const std::string& path = r.logPath;
    try {
      r.run = r.source.open(options.modelDir);
    } catch (const Error& e) {
      // A path that holds a URL (a mistyped study, say) never shows its password.
      throw Error(redactSecrets(redactSecrets(e.what(), r.source.storage), r.source.logPath));
    }
    r.label = uniqueLabel(r.source, cmp.runs);
    if (!cmp.runs.empty()) {
      const ComparedRun& first = cmp.runs.front();
      const RunHeader& a = first.run.log.header;
      const RunHeader& b = r.run.log.header;
      if (!sameModel(first, r))
        throw Error(path + " is a run of another model than " + first.logPath + " (" + b.model +
                    ", checksum " + (b.modelChecksum.empty() ? "not recorded" : b.modelChecksum) +
                    "; " + a.model + ", checksum " +
                    (a.modelChecksum.empty() ? "not recorded" : a.modelChecksum) +
                    "): only runs of one model compare");
      if (!a.dataFingerprint.empty() && !b.dataFingerprint.empty() &&
          a.dataFingerprint != b.dataFingerprint)
        cmp.warnings.push_back(path + " was evaluated on other validation examples than " +
                               first.logPath + " (data fingerprint " + b.dataFingerprint + " vs " +
                               a.dataFingerprint + "): their errors do not compare exactly");
    }
    for (const auto& w : r.run.log.warnings) cmp.warnings.push_back(path + ": " + w);
    cmp.runs.push_back(std::move(r));
  }
  cmp.objectives =
      options.objectives.empty() ? cmp.runs.front().run.log.header.objectives : options.objectives;
  for (const auto& o : cmp.objectives)
    if (!isObjective(o)) throw Error("unknown objective \"" + o + "\"");
  for (const auto& r : cmp.runs)
    if (r.run.log.header.objectives != cmp.objectives)
      cmp.warnings.push_back(r.logPath + " searched " + joined(r.run.log.header.objectives) +
                             "; compared on " + joined(cmp.objectives));
  cmp.normalizer = sharedNormalizer(cmp.runs, cmp.objectives);
  // Each run on the shared scale, then every run's trials together.
  std::vector<Trial> all;
  std::vector<RunComparison::Member> owner;
  for (size_t i = 0; i < cmp.runs.size(); ++i) {
    ComparedRun& r = cmp.runs[i];
    const auto& trials = r.run.log.trials;
    r.front = paretoTrials(trials, cmp.objectives);
    r.hypervolumeByTrial = hypervolumeByTrial(trials, cmp.objectives, cmp.normalizer);
    r.hypervolume = r.hypervolumeByTrial.empty() ? 0 : r.hypervolumeByTrial.back();
    for (size_t t = 0; t < trials.size(); ++t) {
      all.push_back(trials[t]);
      owner.push_back({i, t});
    }
  }
  for (size_t k : paretoTrials(all, cmp.objectives)) cmp.combinedFront.push_back(owner[k]);
  const std::string& second = cmp.objectives.size() > 1 ? cmp.objectives[1] : cmp.objectives[0];
  std::stable_sort(cmp.combinedFront.begin(), cmp.combinedFront.end(),
                   [&](const RunComparison::Member& a, const RunComparison::Member& b) {
                     return objectiveValue(cmp.runs[a.run].run.log.trials[a.trial], second) <
                            objectiveValue(cmp.runs[b.run].run.log.trials[b.trial], second);
                   });
  return cmp;
}

}  // namespace pp
