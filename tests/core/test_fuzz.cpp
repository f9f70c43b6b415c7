// Mutation test: valid small files (weights, config, vocabulary, data, run
// log) with thousands of seeded random corruptions fed to the loaders. Each
// must load or fail with an error; none may crash or hang (and, in the
// sanitizer build, none may read out of bounds).
#include <QtTest>

#include <functional>

#include "cpu/forward.h"
#include "model/slicing.h"
#include "paretoprune/base/error.h"
#include "paretoprune/base/rng.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/formats/config.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/formats/safetensors.h"
#include "paretoprune/formats/tokenizer.h"
#include "paretoprune/model/model.h"
#include "paretoprune/model/model_config.h"
#include "paretoprune/model/random_model.h"
#include "paretoprune/search/run_log.h"
#include "testutil.h"

namespace {
// One random corruption: flip bits, overwrite, insert, delete, truncate,
// duplicate a span, or put a digit or quote somewhere (for text formats).
std::string mutate(const std::string& in, pp::Rng& r) {
  std::string s = in;
  const int edits = 1 + static_cast<int>(r.index(3));
  for (int e = 0; e < edits; ++e) {
    const size_t n = s.size();
    const size_t at = n ? r.index(n) : 0;
    switch (r.index(8)) {
      case 0:
        if (n) s[at] = static_cast<char>(s[at] ^ (1 << r.index(8)));
        break;
      case 1:
        if (n) s[at] = static_cast<char>(r.index(256));
        break;
      case 2:
        s.insert(at, 1, static_cast<char>(r.index(256)));
        break;
      case 3:
        if (n) s.erase(at, 1 + r.index(std::min<size_t>(16, n - at)));
        break;
      case 4:
        s.resize(at);
        break;
      case 5:
        if (n) s.insert(at, s.substr(r.index(n), 1 + r.index(32)));
        break;
      case 6:
        s.insert(at, 1, "0123456789"[r.index(10)]);
        break;
      case 7:
        s.insert(at, 1, "\"{}[],:\t\n-"[r.index(11)]);
        break;
    }
  }
  return s;
}

struct Tally {
  int loaded = 0, rejected = 0;
};

using Mutator = std::function<std::string(const std::string&, pp::Rng&)>;

// Runs `load` on `count` mutations of `valid`; a clean rejection is a
// pp::Error with a message. Any other exception (a library's own, say
// nlohmann::json's type_error) is a failure: it would reach the user raw,
// or abort a window that catches only ours.
void fuzz(const std::string& what, const std::string& valid, int count, uint64_t seed,
          const std::function<void(const std::string&)>& load, Tally& t,
          const Mutator& m = mutate) {
  pp::Rng r(seed);
  for (int i = 0; i < count; ++i) {
    const std::string bad = m(valid, r);
    try {
      load(bad);
      ++t.loaded;
    } catch (const pp::Error& e) {
      if (std::string(e.what()).empty()) QFAIL((what + ": an error without a message").c_str());
      ++t.rejected;
    } catch (const std::exception& e) {
      QFAIL(
          (what + ": not the project's error (" + e.what() + ") for input:\n" + bad.substr(0, 600))
              .c_str());
    }
  }
  qInfo("%s: %d mutations, %d loaded, %d rejected with an error", what.c_str(), count, t.loaded,
        t.rejected);
}
}  // namespace

class TestFuzz : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  std::string dir_;

  std::string path(const std::string& n) const { return tmp_.path().toStdString() + "/" + n; }

 private Q_SLOTS:
  void initTestCase() {
    pp::setComputeThreads(1, 1);
    dir_ = path("m");
    auto o = pp::TinyModelOptions::shaped(1, 8, 2, 8);
    o.maxPositions = 16;
    pp::writeRandomModel(dir_, o);
  }

  void safetensors() {
    const std::string valid = testutil::readText(dir_ + "/model.safetensors");
    const auto cfg = pp::loadModelConfig(dir_ + "/config.json");
    Tally t;
    fuzz(
        "model.safetensors", valid, 1500, 1,
        [&](const std::string& b) {
          auto f = pp::SafetensorsFile::fromBytes(std::vector<uint8_t>(b.begin(), b.end()), "fuzz");
          pp::loadWeights(f, cfg);
        },
        t);
    QVERIFY(t.rejected > 0);
  }

  void config() {
    const std::string valid = testutil::readText(dir_ + "/config.json");
    Tally t;
    fuzz(
        "config.json", valid, 1500, 2,
        [&](const std::string& b) {
          testutil::writeText(path("config.json"), b);
          pp::loadModelConfig(path("config.json"));
        },
        t);
    QVERIFY(t.rejected > 0 && t.loaded > 0);
    // config.json is one JSON document: the JSON-lines type mutator changes one of its fields.
    const std::string oneLine = nlohmann::json::parse(valid).dump() + "\n";
    Tally typed;
    fuzz(
        "config.json (types)", oneLine, 1500, 12,
        [&](const std::string& b) {
          testutil::writeText(path("config.json"), b);
          pp::loadModelConfig(path("config.json"));
        },
        typed, testutil::mutateJsonLines);
    QVERIFY(typed.rejected > 0);
  }

  void vocabulary() {
    const std::string valid = testutil::readText(dir_ + "/vocab.txt");
    Tally t;
    fuzz(
        "vocab.txt", valid, 800, 3,
        [&](const std::string& b) {
          testutil::writeText(path("vocab.txt"), b);
          auto tok = pp::WordPieceTokenizer::fromVocabFile(path("vocab.txt"));
          tok.encode("the food was good, not bad!", nullptr, 16);
        },
        t);
    QVERIFY(t.loaded > 0);
  }

  void data() {
    std::string valid = "sentence\tlabel\n";
    for (int i = 0; i < 20; ++i)
      valid += std::string(i % 2 ? "good food" : "bad service") + "\t" +
               (i % 2 ? "positive" : "negative") + "\n";
    const auto cfg = pp::loadModelConfig(dir_ + "/config.json");
    Tally all;
    for (const char* ext : {".tsv", ".jsonl"}) {
      Tally t;
      std::string v = valid;
      if (std::string(ext) == ".jsonl") {
        v.clear();
        for (int i = 0; i < 20; ++i)
          v += std::string("{\"text\":\"") + (i % 2 ? "good food" : "bad service") +
               "\",\"label\":\"" + (i % 2 ? "positive" : "negative") + "\"}\n";
      }
      fuzz(
          std::string("data") + ext, v, 1000, 4,
          [&](const std::string& b) {
            testutil::writeText(path(std::string("d") + ext), b);
            pp::loadDataset(path(std::string("d") + ext), cfg);
          },
          t);
      all.loaded += t.loaded;
      all.rejected += t.rejected;
    }
    QVERIFY(all.rejected > 0 && all.loaded > 0);
  }

  void runLog() {
    const auto cfg = pp::loadModelConfig(dir_ + "/config.json");
    std::string valid;
    {
      // A real log: header, an ok trial, a failed one.
      pp::RunLog log;
      pp::RunHeader h;
      h.model = dir_;
      h.modelChecksum = "0123456789abcdef";
      h.space = {{"kind", "seed"}};
      h.trials = 10;
      h.data.data = dir_ + "/d.tsv";
      pp::Trial ref;
      ref.id = -1;
      ref.subnet.layers = {{2, 8}};
      ref.errorRate = 0.25;
      ref.accuracy = 0.75;
      ref.params = 1000;
      h.reference = ref.toJson();
      log.create(path("valid.jsonl"), h);
      pp::Trial a;
      a.id = 0;
      a.subnet.layers = {{1, 4}};
      a.errorRate = 0.5;
      a.params = 100;
      pp::Trial b = a;
      b.id = 1;
      b.subnet.layers = {{2, 8}};
      b.status = pp::Trial::Status::Failed;
      b.error = "out of memory";
      log.append(a);
      log.append(b);
      log.close();
      valid = testutil::readText(path("valid.jsonl"));
      QCOMPARE(pp::readRunLog(path("valid.jsonl"), &cfg).trials.size(), size_t(2));
    }
    auto load = [&](const std::string& b) {
      testutil::writeText(path("run.jsonl"), b);
      pp::readRunLog(path("run.jsonl"), &cfg);
    };
    Tally t;
    fuzz("run log", valid, 1500, 5, load, t);
    QVERIFY(t.rejected > 0);
    // Fields of the wrong type or range, in the header and in trial lines:
    // each is refused with the file, the line and the field named.
    Tally typed;
    fuzz(
        "run log (types)", valid, 1500, 6,
        [&](const std::string& b) {
          try {
            load(b);
          } catch (const pp::Error& e) {
            const std::string msg = e.what();
            if (msg.find(path("run.jsonl") + ": line ") != 0 &&
                msg.find(path("run.jsonl") + ": ") != 0)
              QFAIL(("the message does not name the file and line: " + msg).c_str());
            throw;
          }
        },
        typed, testutil::mutateJsonLines);
    QVERIFY(typed.rejected > 500);
    QVERIFY(typed.loaded > 0);
  }
};

QTEST_GUILESS_MAIN(TestFuzz)
#include "test_fuzz.moc"
