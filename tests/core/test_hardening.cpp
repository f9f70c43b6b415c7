// Hostile and damaged input (issue 32): JSON nested without end, a log
// whose trial ids repeat, connection URLs whose password must never be
// printed. Each case failed (crashed, was accepted, or printed the secret)
// before its fix.
#include <QTemporaryDir>
#include <QtTest>

#include <chrono>

#include "model/weights.h"
#include "paretoprune/base/error.h"
#include "paretoprune/base/json_parse.h"
#include "paretoprune/eval/evaluator.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/formats/safetensors.h"
#include "paretoprune/formats/tagging.h"
#include "paretoprune/formats/tokenizer.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/model.h"
#include "paretoprune/model/model_config.h"
#include "paretoprune/runs/study_store.h"
#include "paretoprune/search/run_log.h"
#include "testutil.h"

namespace {
testutil::Run cli(const QStringList& args) {
  return testutil::runProgram(PARETOPRUNE_CLI, args);
}

int lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

// The ways a URL's password reaches libpq's messages: unparseable hosts,
// bad percent escapes (in the user information and in the query), bad
// query parameters, unterminated keyword strings, unreachable servers.
const char* const kSecretUrls[] = {
    "postgresql://u:SECRET@[::1/db",
    "postgresql://u:SEC%zzRET@127.0.0.1/db",
    "postgresql://u:SECRET%@127.0.0.1/db",
    "postgresql://u:S%00ECRET@127.0.0.1/db",
    "postgresql://u:SECRET@127.0.0.1/db?bogus=1",
    "postgresql://u:SECRET@127.0.0.1/db?sslmode=bogus",
    "postgresql://u@127.0.0.1/db?password=SEC%zzRET",
    "postgresql://u:SE/CRET@127.0.0.1:1/db",
    "postgresql://u:SE@CRET@127.0.0.1:1/db",
    "postgresql://u:SECRET@127.0.0.1:1/db?connect_timeout=2",
    "host=127.0.0.1 port=1 password='SECRET",
    "host=127.0.0.1 port=1 password=SECRET connect_timeout=2",
    "postgres://u:SECRET@/db?host=/nonexistent",
};
}  // namespace

class TestHardening : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  QString model_, data_, log_;

 private Q_SLOTS:
  void initTestCase() {
    model_ = tmp_.path() + "/tiny";
    auto r = cli({"make-tiny", model_, "--layers", "2", "--hidden", "16", "--heads", "2",
                  "--intermediate", "16", "--seed", "1"});
    QVERIFY2(r.code == 0, r.err.c_str());
    data_ = tmp_.path() + "/data.tsv";
    std::string d = "sentence\tlabel\n";
    for (int i = 0; i < 20; ++i)
      d += std::string(i % 2 ? "good food" : "bad place") + "\t" +
           (i % 2 ? "positive" : "negative") + "\n";
    testutil::writeText(data_.toStdString(), d);
    log_ = tmp_.path() + "/run.jsonl";
    r = cli({"search", model_, "--data", data_, "--trials", "4", "--log", log_, "--latency-runs",
             "0", "--max-length", "16", "--workers", "1"});
    QVERIFY2(r.code == 0, r.err.c_str());
  }

  void nestingDepthCountsBracketsOutsideStrings() {
    QCOMPARE(pp::jsonNestingDepth("{}"), 1);
    // (Plain literals: moc's preprocessor does not read raw strings.)
    const std::string nested = "{\"a\":[1,[2,{\"b\":3}]]}";
    const std::string quoted = "[\"[[[[\", \"\\\"[[[\", 1]";
    QCOMPARE(pp::jsonNestingDepth(nested), 4);
    QCOMPARE(pp::jsonNestingDepth(quoted), 1);
    QCOMPARE(pp::jsonNestingDepth(std::string(100000, '['), 10), 10);
    QVERIFY(pp::tryParseJson(std::string(pp::kMaxJsonDepth, '[') +
                             std::string(pp::kMaxJsonDepth, ']')));
    std::string error;
    QVERIFY(!pp::tryParseJson(
        std::string(pp::kMaxJsonDepth + 1, '[') + std::string(pp::kMaxJsonDepth + 1, ']'), &error));
    QVERIFY2(error.find("nested deeper than") != std::string::npos, error.c_str());
    // A parse error reads as a sentence: where, and what, without the
    // library's exception name.
    QVERIFY(!pp::tryParseJson("{\"a\": 0.2, g}", &error));
    QVERIFY2(error.rfind("not valid JSON (at column ", 0) == 0, error.c_str());
    QVERIFY2(error.find("json.exception") == std::string::npos &&
                 error.find("syntax error while parsing") == std::string::npos,
             error.c_str());
    QVERIFY(!pp::tryParseJson("{\"a\": 1,\n\"b\": }", &error));
    QVERIFY2(error.rfind("not valid JSON (at line 2, column ", 0) == 0, error.c_str());
  }

  void shortTextNeverCutsACharacter() {
    QCOMPARE(pp::shortText("abc", 5), std::string("abc"));
    QCOMPARE(pp::shortText("abcdef", 3), std::string("abc..."));
    // "é" is two bytes; a cut after its first byte backs off before it.
    QCOMPARE(pp::shortText("a\xC3\xA9z", 2), std::string("a..."));
  }

  // A trial line of 200,000 '[' killed `front` (and the window) with SIGSEGV.
  void deeplyNestedLogLine() {
    for (int where : {1, 2}) {  // the header line, a trial line
      std::string text = testutil::readText(log_.toStdString());
      std::vector<std::string> ls;
      for (size_t p = 0, e; (e = text.find('\n', p)) != std::string::npos; p = e + 1)
        ls.push_back(text.substr(p, e - p));
      ls.at(static_cast<size_t>(where - 1)) = std::string(200000, '[');
      std::string out;
      for (const auto& l : ls) out += l + "\n";
      const QString bad = tmp_.path() + "/deep" + QString::number(where) + ".jsonl";
      testutil::writeText(bad.toStdString(), out);
      auto r = cli({"front", bad});
      QCOMPARE(r.code, 1);
      QCOMPARE(lines(r.err), 1);
      QVERIFY2(r.err.find("nested deeper than") != std::string::npos, r.err.c_str());
      QVERIFY2(r.err.find("line " + std::to_string(where)) != std::string::npos, r.err.c_str());
      QVERIFY(r.err.size() < 400);
    }
  }

  void deeplyNestedConfigAndData() {
    QTemporaryDir d;
    const std::string cfg = d.path().toStdString() + "/config.json";
    testutil::writeText(cfg, "{\"model_type\": \"bert\", \"x\": " + std::string(50000, '['));
    PP_EXPECT_ERROR(pp::loadModelConfig(cfg), "nested deeper than");
    const std::string jsonl = d.path().toStdString() + "/data.jsonl";
    testutil::writeText(
        jsonl, "{\"text\": \"a\", \"label\": \"positive\"}\n" + std::string(50000, '{') + "\n");
    const auto config = pp::loadModelConfig(model_.toStdString() + "/config.json");
    PP_EXPECT_ERROR(pp::loadDataset(jsonl, config, {}), "line 2: nested deeper than");
    // Tagged data (JSON lines of tokens and tags): the same, line named.
    const std::string tagged =
        "{\"tokens\": [\"a\"], \"tags\": [0]}\n{\"tokens\": " + std::string(300000, '[') + "\n";
    PP_EXPECT_ERROR(pp::parseTaggedData(tagged, "ner.jsonl", true, config),
                    "ner.jsonl:2: nested deeper than");
  }

  void untrustedValuesAreQuotedShort() {
    // A 100 kB label name in pruned_heads' key is not printed whole.
    nlohmann::json j =
        nlohmann::json::parse(testutil::readText(model_.toStdString() + "/config.json"));
    j["pruned_heads"] = {{std::string(100000, 'x'), nlohmann::json::array({0})}};
    const std::string msg = testutil::errorOf([&] { pp::modelConfigFromJson(j); });
    QVERIFY2(msg.find("pruned_heads names layer") != std::string::npos, msg.c_str());
    QVERIFY(msg.size() < 300);
  }

  // A reader's message quoted a hostile file's value whole: nlohmann's
  // "last read" token is a whole unterminated string, and names, keys and
  // types were quoted as read. Each message stays short; no message of
  // any Error carries megabytes.
  void hostileValuesNeverPrintedWhole() {
    const std::string big(1 << 20, 'z');
    std::string msg = testutil::errorOf([&] { pp::parseJson("{\"a\": \"" + big, "f.json"); });
    QVERIFY2(msg.rfind("f.json: not valid JSON", 0) == 0 && msg.find("last read") != msg.npos,
             msg.substr(0, 300).c_str());
    QVERIFY2(msg.size() < 300, std::to_string(msg.size()).c_str());
    msg = testutil::errorOf([&] { pp::parseJson("[" + big, "f.json"); });  // a long literal
    QVERIFY2(msg.size() < 300, std::to_string(msg.size()).c_str());
    // safetensors: a tensor's long name with an unknown dtype; a long name twice.
    QTemporaryDir d;
    const std::string st = d.path().toStdString() + "/model.safetensors";
    auto writeSafetensors = [&](const std::string& header) {
      std::string bytes(8, '\0');
      for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((header.size() >> (8 * i)) & 0xFF);
      testutil::writeText(st, bytes + header);
    };
    const std::string name(200000, 'n');
    writeSafetensors("{\"" + name + "\": {\"dtype\": \"" + big +
                     "\", \"shape\": [1], \"data_offsets\": [0, 0]}}");
    msg = testutil::errorOf([&] { pp::SafetensorsFile::open(st); });
    QVERIFY2(msg.find("unknown dtype") != msg.npos, msg.substr(0, 300).c_str());
    QVERIFY2(msg.size() < st.size() + 300, std::to_string(msg.size()).c_str());
    writeSafetensors("{\"" + name + "\": {}, \"" + name + "\": {}}");
    msg = testutil::errorOf([&] { pp::SafetensorsFile::open(st); });
    QVERIFY2(msg.find("appears twice") != msg.npos, msg.substr(0, 300).c_str());
    QVERIFY2(msg.size() < st.size() + 300, std::to_string(msg.size()).c_str());
    // tokenizer.json: a model type and a normalizer type of a megabyte.
    nlohmann::json j =
        nlohmann::json::parse(testutil::readText(model_.toStdString() + "/tokenizer.json"));
    const std::string tj = d.path().toStdString() + "/tokenizer.json";
    j["normalizer"] = {{"type", big}};
    testutil::writeText(tj, j.dump());
    msg = testutil::errorOf([&] { pp::WordPieceTokenizer::fromTokenizerJson(tj); });
    QVERIFY2(msg.find("is not supported") != msg.npos, msg.substr(0, 300).c_str());
    QVERIFY2(msg.size() < tj.size() + 300, std::to_string(msg.size()).c_str());
    j["model"]["type"] = big;
    testutil::writeText(tj, j.dump());
    msg = testutil::errorOf([&] { pp::WordPieceTokenizer::fromTokenizerJson(tj); });
    QVERIFY2(msg.find("is not WordPiece") != msg.npos, msg.substr(0, 300).c_str());
    QVERIFY2(msg.size() < tj.size() + 300, std::to_string(msg.size()).c_str());
    // Whatever a reader forgets: every Error keeps its start and its end.
    const pp::Error e("start " + big + " end");
    const std::string what = e.what();
    QVERIFY(what.size() <= pp::kMaxErrorChars + 60);
    QVERIFY(what.rfind("start zz", 0) == 0);
    QVERIFY(what.size() > 4 && what.substr(what.size() - 4) == " end");
    QVERIFY(what.find("characters cut") != what.npos);
    QCOMPARE(std::string(pp::Error("short").what()), std::string("short"));
  }

  // A run log's trial claiming 1 parameter took the front: parameters and
  // FLOPs are counted again from its sub-network, and the edit is said.
  void runLogShapeMetricsCountedAgain() {
    const auto config = pp::loadModelConfig(model_.toStdString() + "/config.json");
    const pp::LogContents honest = pp::readRunLog(log_.toStdString(), &config);
    QVERIFY(honest.warnings.empty());
    QVERIFY(honest.trials.size() >= 2);
    std::string text = testutil::readText(log_.toStdString());
    const size_t first = text.find('\n') + 1, second = text.find('\n', first);
    nlohmann::json t = nlohmann::json::parse(text.substr(first, second - first));
    const int64_t id = t["trial"].get<int64_t>();
    t["params"] = 1;
    if (t.contains("flops")) t["flops"] = 1;
    text.replace(first, second - first, t.dump());
    const QString edited = tmp_.path() + "/liar.jsonl";
    testutil::writeText(edited.toStdString(), text);
    const pp::LogContents read = pp::readRunLog(edited.toStdString(), &config);
    QCOMPARE(read.trials.size(), honest.trials.size());
    QCOMPARE(read.trials[0].id, id);
    QCOMPARE(read.trials[0].params, honest.trials[0].params);
    QCOMPARE(read.trials[0].params, pp::parameterCount(config, read.trials[0].subnet));
    if (read.header.flopsLength > 0) QCOMPARE(read.trials[0].flops, honest.trials[0].flops);
    QCOMPARE(read.warnings.size(), size_t(1));
    QVERIFY2(read.warnings[0].find("counted again") != std::string::npos &&
                 read.warnings[0].find("trial " + std::to_string(id)) != std::string::npos,
             read.warnings[0].c_str());
  }

  // Two trials with one id were accepted silently.
  void duplicateTrialIds() {
    std::string text = testutil::readText(log_.toStdString());
    const size_t first = text.find('\n') + 1, second = text.find('\n', first) + 1;
    text.insert(text.size(), text.substr(first, second - first));  // trial line again, last
    const QString bad = tmp_.path() + "/dup.jsonl";
    testutil::writeText(bad.toStdString(), text);
    auto r = cli({"front", bad});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.find("appears twice (first on line 2)") != std::string::npos, r.err.c_str());
  }

  // -1 became SIZE_MAX, and WordPiece then took quadratic time per word.
  void wordLengthBoundAndLongWords() {
    nlohmann::json j =
        nlohmann::json::parse(testutil::readText(model_.toStdString() + "/tokenizer.json"));
    QTemporaryDir d;
    const std::string path = d.path().toStdString() + "/tokenizer.json";
    for (const nlohmann::json& bad :
         {nlohmann::json(-1), nlohmann::json(0), nlohmann::json("x"), nlohmann::json(1e12)}) {
      j["model"]["max_input_chars_per_word"] = bad;
      testutil::writeText(path, j.dump());
      PP_EXPECT_ERROR(pp::WordPieceTokenizer::fromTokenizerJson(path), "max_input_chars_per_word");
    }
    j["model"]["max_input_chars_per_word"] = 100000;
    testutil::writeText(path, j.dump());
    const auto tok = pp::WordPieceTokenizer::fromTokenizerJson(path);
    const auto t0 = std::chrono::steady_clock::now();
    const auto pieces = tok.tokenize(std::string(100000, 'a'));
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    QCOMPARE(pieces.size(), size_t(100000));      // "a" then "##a" each (the tiny vocabulary)
    QVERIFY2(s < 30, std::to_string(s).c_str());  // was hours; here well under a second
    // A hostile vocabulary: pieces almost as long as the word, which every
    // position of it starts (each walk goes deep and finds only "a").
    j["model"]["vocab"][std::string(990, 'a') + "b"] = j["model"]["vocab"].size();
    j["model"]["vocab"]["##" + std::string(990, 'a') + "b"] = j["model"]["vocab"].size();
    testutil::writeText(path, j.dump());
    std::string why = testutil::errorOf([&] { pp::WordPieceTokenizer::fromTokenizerJson(path); });
    QVERIFY2(why.empty(), why.c_str());
    const auto slow = pp::WordPieceTokenizer::fromTokenizerJson(path);
    const auto t1 = std::chrono::steady_clock::now();
    const auto many = slow.tokenize(std::string(20000, 'a'));
    const double s1 = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
    QCOMPARE(many.size(), size_t(20000));
    QVERIFY2(s1 < 30, std::to_string(s1).c_str());  // 2e7 steps; was 2e10 byte hashes
    // Longer pieces than that are refused, naming the piece (cut short).
    j["model"]["vocab"]["##" + std::string(5000, 'a') + "b"] = j["model"]["vocab"].size();
    testutil::writeText(path, j.dump());
    const std::string msg =
        testutil::errorOf([&] { pp::WordPieceTokenizer::fromTokenizerJson(path); });
    QVERIFY2(msg.find("characters long") != msg.npos && msg.size() < 400, msg.c_str());
  }

  // A pair data set on a model with one token type read past the embedding.
  void pairsOnAModelWithOneTokenType() {
    QTemporaryDir d;
    auto config = pp::loadModelConfig(model_.toStdString() + "/config.json");
    config.type_vocab_size = 1;
    const auto tok = pp::WordPieceTokenizer::fromDirectory(model_.toStdString());
    pp::writeModelFiles(d.path().toStdString(), config, pp::randomWeights(config, 0.02, 1), &tok,
                        pp::identityOrder(config, true), pp::identityOrder(config, false));
    const auto model = pp::Model::load(d.path().toStdString());
    pp::Dataset data;
    data.hasPair = true;
    data.examples.push_back({"good food", "bad place", 0, 2});
    PP_EXPECT_ERROR(pp::EncodedData(*model, data, {}), "type_vocab_size");
    data.hasPair = false;
    data.examples[0].pair.clear();
    QVERIFY(testutil::errorOf([&] { pp::EncodedData(*model, data, {}); }).empty());
  }

  void redactUrlHidesAnyPassword() {
    QCOMPARE(pp::redactUrl("postgresql://u:pw@h/db"), std::string("postgresql://u:***@h/db"));
    QCOMPARE(pp::redactUrl("postgresql://u:p/w@h/db"), std::string("postgresql://u:***@h/db"));
    QCOMPARE(pp::redactUrl("postgresql://u:p@w@h/db"), std::string("postgresql://u:***@h/db"));
    QCOMPARE(pp::redactUrl("postgresql://u@h/db?password=pw&sslmode=require"),
             std::string("postgresql://u@h/db?password=***&sslmode=require"));
    QCOMPARE(pp::redactUrl("host=h PASSWORD = 'a b' dbname=x"),
             std::string("host=h PASSWORD = *** dbname=x"));
    QCOMPARE(pp::redactUrl("postgresql://u@h/db"), std::string("postgresql://u@h/db"));
  }

  // libpq's own messages repeated the URL, or the bad token, with the password.
  void noPasswordInAnyConnectionError() {
    for (const char* url : kSecretUrls) {
      const std::string msg = testutil::errorOf([&] { pp::StudyStore store(url); });
      QVERIFY2(!msg.empty(), url);
      for (const char* piece : {"SECRET", "SEC", "CRET", "ECRET"})
        QVERIFY2(msg.find(piece) == std::string::npos, (std::string(url) + " -> " + msg).c_str());
    }
  }

  // The CLI prints the library's message (above, every URL): one URL of each
  // kind through it, as a process of ours starts in seconds under the sanitizers.
  void noPasswordFromTheCli() {
    for (const size_t i : {0, 1, 4, 8, 10, 12}) {
      const char* url = kSecretUrls[i];
      auto r = cli({"front", "--storage", url, "--study", "s"});
      QCOMPARE(r.code, 1);
      QVERIFY2(r.err.find("SEC") == std::string::npos && r.err.find("CRET") == std::string::npos,
               (std::string(url) + " -> " + r.err).c_str());
      QVERIFY2(r.out.find("SEC") == std::string::npos, r.out.c_str());
    }
  }
};

QTEST_GUILESS_MAIN(TestHardening)
#include "test_hardening.moc"
