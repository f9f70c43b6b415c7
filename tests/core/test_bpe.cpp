// Byte-level BPE (GPT-2, RoBERTa) against the reference encodings in
// tests/data/reference/bpe (Hugging Face tokenizers 0.23.2 on GPT-2's
// vocabulary and merges): ids, type ids, byte offsets and decoded text of
// every case (and of the corpus of tests/data/tokenizer_corpus), read from tokenizer.json (merges
// as pairs and as strings) and from vocab.json + merges.txt; plus malformed files and odd input.
#include <QtTest>

#include <thread>

#include <nlohmann/json.hpp>

#include "paretoprune/formats/bpe_tokenizer.h"
#include "paretoprune/formats/unicode.h"
#include "testutil.h"

using nlohmann::json;
using Bpe = pp::ByteLevelBpeTokenizer;

namespace {

struct Case {
  std::string config, text, pair, decoded, decodedSkip;
  bool hasPair = false;
  int64_t maxLength = 0;
  std::vector<int64_t> ids, typeIds;
  std::vector<std::pair<int64_t, int64_t>> offsets;
};

std::string show(const std::vector<int64_t>& v) {
  std::string s;
  for (int64_t x : v) s += std::to_string(x) + " ";
  return s;
}

std::string showOffsets(const std::vector<std::pair<int64_t, int64_t>>& v) {
  std::string s;
  for (const auto& [a, b] : v) s += "(" + std::to_string(a) + "," + std::to_string(b) + ") ";
  return s;
}

}  // namespace

class TestBpe : public QObject {
  Q_OBJECT
  const std::string ref_ = std::string(PARETOPRUNE_REFERENCE_DIR) + "/bpe";
  std::vector<Case> cases_;
  json configs_, vocab_, roberta_;
  std::vector<std::string> mergeLines_;
  QTemporaryDir tmp_;

  // configs.json's tokenizer for `config`, with the vocabulary and merges put
  // back (as [a, b] pairs, as tokenizers 0.23 writes them, or as "a b").
  std::string writeTokenizerJson(const std::string& config, bool mergesAsStrings) {
    json j = configs_.at(config);
    j["model"]["vocab"] = vocab_;
    json merges = json::array();
    for (const auto& l : mergeLines_) {
      const size_t space = l.find(' ');
      merges.push_back(mergesAsStrings ? json(l)
                                       : json::array({l.substr(0, space), l.substr(space + 1)}));
    }
    j["model"]["merges"] = merges;
    const std::string path = tmp_.path().toStdString() + "/" + config +
                             (mergesAsStrings ? "-strings" : "-pairs") + ".json";
    testutil::writeText(path, j.dump());
    return path;
  }

  // Every case of `config` encodes and decodes exactly as the reference.
  void checkAll(const Bpe& tok, const std::string& config) {
    int n = 0;
    for (size_t i = 0; i < cases_.size(); ++i) {
      const Case& c = cases_[i];
      if (c.config != config) continue;
      const pp::OffsetEncoding e = tok.encode(c.text, c.hasPair ? &c.pair : nullptr, c.maxLength);
      const std::string where = config + " case " + std::to_string(i) + " " + json(c.text).dump() +
                                (c.hasPair ? " + " + json(c.pair).dump() : "") +
                                (c.maxLength ? " max " + std::to_string(c.maxLength) : "");
      QVERIFY2(e.ids == c.ids, qPrintable(QString::fromStdString(where + "\n  got  " + show(e.ids) +
                                                                 "\n  want " + show(c.ids))));
      QVERIFY2(e.type_ids == c.typeIds, qPrintable(QString::fromStdString(where + " type ids")));
      QVERIFY2(e.offsets == c.offsets,
               qPrintable(QString::fromStdString(where + "\n  got  " + showOffsets(e.offsets) +
                                                 "\n  want " + showOffsets(c.offsets))));
      QVERIFY2(tok.decode(e.ids) == c.decoded,
               qPrintable(QString::fromStdString(where + " decode")));
      QVERIFY2(tok.decode(e.ids, true) == c.decodedSkip,
               qPrintable(QString::fromStdString(where + " decode skipping specials")));
      ++n;
    }
    QVERIFY2(n >= 80, qPrintable(QString("only %1 cases of ").arg(n) + config.c_str()));
  }

  std::string writeFile(const std::string& name, const std::string& text) {
    const std::string path = tmp_.path().toStdString() + "/" + name;
    testutil::writeText(path, text);
    return path;
  }

  void readCases(std::istream& in) {
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      const json j = json::parse(line);
      Case c;
      c.config = j.at("config");
      c.text = j.at("text");
      c.hasPair = j.contains("pair");
      if (c.hasPair) c.pair = j.at("pair");
      c.maxLength = j.value("max_length", int64_t(0));
      c.ids = j.at("ids").get<std::vector<int64_t>>();
      c.typeIds = j.at("type_ids").get<std::vector<int64_t>>();
      const auto flat = j.at("offsets").get<std::vector<int64_t>>();
      for (size_t k = 0; k + 1 < flat.size(); k += 2) c.offsets.emplace_back(flat[k], flat[k + 1]);
      c.decoded = j.at("decoded");
      c.decodedSkip = j.at("decoded_skip");
      cases_.push_back(std::move(c));
    }
  }

 private Q_SLOTS:
  void initTestCase() {
    // cases.jsonl, and the corpus of tricky strings (tests/data/tokenizer_corpus)
    // under the "roberta" set-up (tricky.jsonl).
    for (const char* file : {"cases.jsonl", "tricky.jsonl"}) {
      std::ifstream in(ref_ + "/" + file);
      QVERIFY2(in.good(),
               (std::string("tests/data/reference/bpe/") + file + " is missing").c_str());
      readCases(in);
    }
    QVERIFY(cases_.size() >= 700);
    configs_ = json::parse(testutil::readText(ref_ + "/configs.json"));
    vocab_ = json::parse(testutil::readText(ref_ + "/vocab.json"));
    std::stringstream merges(testutil::readText(ref_ + "/merges.txt"));
    for (std::string l; std::getline(merges, l);)
      if (!l.empty() && l.rfind("#version", 0) != 0) mergeLines_.push_back(l);
    QCOMPARE(mergeLines_.size(), size_t(50000));
  }

  // A user's clone has only this repository: the reference data must live in it.
  void referenceDataIsInTheRepository() {
    const QString ref = QFileInfo(QString::fromStdString(ref_)).canonicalFilePath();
    const QString src = QFileInfo(QStringLiteral(PARETOPRUNE_SOURCE_DIR)).canonicalFilePath();
    QVERIFY2(!ref.isEmpty(), "the reference folder is missing");
    QVERIFY2(ref.startsWith(src + "/"), qPrintable(ref + " lies outside the repository " + src));
  }

  void referenceFromTokenizerJson_data() {
    QTest::addColumn<QString>("config");
    QTest::addColumn<bool>("mergesAsStrings");
    for (const char* config : {"roberta", "prefix", "template", "gpt2"}) {
      QTest::newRow((std::string(config) + " pairs").c_str()) << QString(config) << false;
      QTest::newRow((std::string(config) + " strings").c_str()) << QString(config) << true;
    }
  }
  void referenceFromTokenizerJson() {
    QFETCH(QString, config);
    QFETCH(bool, mergesAsStrings);
    const std::string name = config.toStdString();
    checkAll(Bpe::fromTokenizerJson(writeTokenizerJson(name, mergesAsStrings)), name);
  }

  // RoBERTa's own files: vocab.json + merges.txt, with and without add_prefix_space.
  void referenceFromVocabAndMerges() {
    const auto tok = Bpe::fromVocabAndMerges(ref_ + "/vocab.json", ref_ + "/merges.txt");
    checkAll(tok, "roberta");
    pp::BpeOptions prefix;
    prefix.add_prefix_space = true;
    checkAll(Bpe::fromVocabAndMerges(ref_ + "/vocab.json", ref_ + "/merges.txt", prefix), "prefix");
  }

  void fromDirectoryReadsTokenizerConfig() {
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    QVERIFY(!Bpe::existsIn(d));
    PP_EXPECT_ERROR(Bpe::fromDirectory(d), "no tokenizer");
    QVERIFY(QFile::copy(QString::fromStdString(ref_ + "/vocab.json"), dir.filePath("vocab.json")));
    QVERIFY(QFile::copy(QString::fromStdString(ref_ + "/merges.txt"), dir.filePath("merges.txt")));
    testutil::writeText(d + "/tokenizer_config.json", R"({"add_prefix_space": true})");
    QVERIFY(Bpe::existsIn(d));
    checkAll(Bpe::fromDirectory(d), "prefix");
  }

  // Saved from vocab.json + merges.txt, it also writes the tokenizer.json
  // RobertaTokenizerFast converts them to (transformers.js reads only that),
  // which encodes every case as the files do, with and without add_prefix_space.
  void savesTokenizerJsonFromVocabAndMerges() {
    pp::BpeOptions prefix;
    prefix.add_prefix_space = true;
    for (const auto& [opts, config] :
         {std::pair{pp::BpeOptions{}, "roberta"}, std::pair{prefix, "prefix"}}) {
      QTemporaryDir dir;
      const std::string d = dir.path().toStdString();
      Bpe::fromVocabAndMerges(ref_ + "/vocab.json", ref_ + "/merges.txt", opts).save(d);
      for (const char* f : {"vocab.json", "merges.txt", "tokenizer.json"})
        QVERIFY2(QFileInfo::exists(dir.filePath(f)), f);
      const json j = json::parse(testutil::readText(d + "/tokenizer.json"));
      QCOMPARE(j["post_processor"]["type"].get<std::string>(), std::string("RobertaProcessing"));
      checkAll(Bpe::fromDirectory(d), config);  // tokenizer.json comes first
    }
  }

  void spotIdsAndSpecials() {
    const auto tok = Bpe::fromVocabAndMerges(ref_ + "/vocab.json", ref_ + "/merges.txt");
    QCOMPARE(tok.vocabSize(), size_t(50262));
    QCOMPARE(tok.idOf("Hello"), int64_t(15496));
    QCOMPARE(tok.idOf("\xC4\xA0world"), int64_t(995));  // "Ġworld"
    QCOMPARE(tok.idOf("no such piece"), int64_t(-1));
    QCOMPARE(tok.clsId(), int64_t(50257));
    QCOMPARE(tok.padId(), int64_t(50258));
    QCOMPARE(tok.sepId(), int64_t(50259));
    QCOMPARE(tok.unkId(), int64_t(50260));
    QCOMPARE(tok.maskId(), int64_t(50261));
    QCOMPARE(tok.tokenize("Hello world!"),
             (std::vector<std::string>{"Hello", "\xC4\xA0world", "!"}));
    QCOMPARE(tok.tokenIds("Hello <mask>"), (std::vector<int64_t>{15496, 50261}));
    const auto gpt2 = Bpe::fromTokenizerJson(writeTokenizerJson("gpt2", false));
    QCOMPARE(gpt2.clsId(), int64_t(-1));  // GPT-2 adds no special tokens
    QCOMPARE(gpt2.sepId(), int64_t(-1));
  }

  // tokenize() gives the pieces of encode() without the post-processor's tokens.
  void tokenizeMatchesEncode() {
    const auto tok = Bpe::fromVocabAndMerges(ref_ + "/vocab.json", ref_ + "/merges.txt");
    for (const Case& c : cases_) {
      if (c.config != "roberta" || c.hasPair || c.maxLength) continue;
      const std::vector<int64_t> inner(c.ids.begin() + 1, c.ids.end() - 1);
      QCOMPARE(tok.tokenIds(c.text), inner);
      QCOMPARE(tok.tokenize(c.text).size(), inner.size());
    }
  }

  // Bytes that are not UTF-8 (which Hugging Face cannot be given) are pieces
  // of their own; nothing reads outside the text, decode gives them back as U+FFFD.
  void arbitraryBytes() {
    const auto tok = Bpe::fromVocabAndMerges(ref_ + "/vocab.json", ref_ + "/merges.txt");
    pp::Rng r(26);
    for (int round = 0; round < 300; ++round) {
      std::string a(static_cast<size_t>(r.uniformInt(0, 40)), ' ');
      for (char& ch : a) ch = static_cast<char>(r.uniformInt(0, 255));
      const std::string b = round % 3 ? "pair \xF0\x9F\x98" : "";
      const auto e = tok.encode(a, round % 2 ? &b : nullptr, round % 7 ? 0 : r.uniformInt(1, 12));
      QCOMPARE(e.ids.size(), e.offsets.size());
      for (size_t i = 0; i < e.ids.size(); ++i) {
        QVERIFY(e.ids[i] >= 0 && e.ids[i] < int64_t(tok.vocabSize()));
        QVERIFY(e.offsets[i].first <= e.offsets[i].second);
        QVERIFY(e.offsets[i].second <= int64_t(std::max(a.size(), b.size())));
      }
      if (round % 7 == 0) continue;
      // Without truncation every byte comes back: valid UTF-8 as it was.
      if (pp::unicode::isValidUtf8(a) && a.find("<") == std::string::npos)
        QCOMPARE(tok.decode(tok.tokenIds(a)), a);
    }
    QCOMPARE(tok.decode(tok.tokenIds("a\xFF"
                                     "b")),
             std::string("a\xEF\xBF\xBD"
                         "b"));
    QCOMPARE(tok.decode({-1, 99999999, 15496}), std::string("Hello"));
  }

  // One tokenizer shared by threads (its word cache behind a mutex).
  void sharedAcrossThreads() {
    const auto tok = Bpe::fromVocabAndMerges(ref_ + "/vocab.json", ref_ + "/merges.txt");
    std::vector<std::vector<int64_t>> want;
    for (const Case& c : cases_) want.push_back(tok.tokenIds(c.text));
    const auto copy = tok;  // copies share the cache
    std::vector<int> bad(4, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, t] {
        const Bpe& mine = t % 2 ? copy : tok;
        for (size_t i = 0; i < cases_.size(); ++i)
          bad[static_cast<size_t>(t)] += mine.tokenIds(cases_[i].text) != want[i];
      });
    for (auto& th : threads) th.join();
    QCOMPARE(bad, std::vector<int>(4, 0));
  }

  void malformedFiles_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("content");
    QTest::addColumn<QString>("fragment");
    auto model = [](const std::string& inner) {
      return QString::fromStdString(
          R"({"pre_tokenizer": {"type": "ByteLevel"}, "post_processor": null, "model": {"type": "BPE", )" +
          inner + "}}");
    };
    QTest::newRow("no merges") << "tokenizer.json" << model(R"("vocab": {"a": 0})")
                               << "field \"merges\" is missing";
    QTest::newRow("merge of unknown piece")
        << "tokenizer.json" << model(R"("vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a c"])")
        << "model.merges[0]: the merge \"a c\" needs \"c\", which is not in the vocabulary";
    QTest::newRow("merge making unknown piece")
        << "tokenizer.json" << model(R"("vocab": {"a": 0, "b": 1}, "merges": [["a", "b"]])")
        << "needs \"ab\"";
    QTest::newRow("bad merge") << "tokenizer.json"
                               << model(R"("vocab": {"a": 0}, "merges": [["a"]])")
                               << "model.merges[0] must be";
    QTest::newRow("vocab ids") << "tokenizer.json"
                               << model(R"("vocab": {"a": 0, "b": 5}, "merges": [])")
                               << "ids must be 0..n-1";
    QTest::newRow("missing byte") << "tokenizer.json" << model(R"("vocab": {"a": 0}, "merges": [])")
                                  << "the vocabulary lacks";
    QTest::newRow("wordpiece") << "tokenizer.json"
                               << R"({"model": {"type": "WordPiece"}})"
                               << "model type \"WordPiece\" is not BPE";
    QTest::newRow("deep") << "tokenizer.json" << QString(100000, '[') << "nested deeper than 64";
    QTest::newRow("not json") << "tokenizer.json"
                              << "{\"model\": "
                              << "not valid JSON";
    QTest::newRow("merges line") << "merges.txt"
                                 << "#version: 0.2\n\xC4\xA0 t\nabc\n"
                                 << "merges.txt: line 3 is not two pieces";
    QTest::newRow("merges unknown") << "merges.txt"
                                    << "#version: 0.2\nzzzz qqqq\n"
                                    << "merges.txt: line 2: the merge \"zzzz qqqq\" needs \"zzzz\"";
    QTest::newRow("merges empty") << "merges.txt"
                                  << "#version: 0.2\n"
                                  << "merges.txt: no merges";
    QTest::newRow("vocab deep") << "vocab.json" << QString(70, '{') << "nested deeper than 64";
  }
  void malformedFiles() {
    QFETCH(QString, file);
    QFETCH(QString, content);
    QFETCH(QString, fragment);
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    QVERIFY(QFile::copy(QString::fromStdString(ref_ + "/vocab.json"), dir.filePath("vocab.json")));
    QVERIFY(QFile::copy(QString::fromStdString(ref_ + "/merges.txt"), dir.filePath("merges.txt")));
    QFile::remove(dir.filePath(file));
    testutil::writeText(d + "/" + file.toStdString(), content.toStdString());
    const std::string msg = testutil::errorOf([&] { Bpe::fromDirectory(d); });
    QVERIFY2(msg.find(fragment.toStdString()) != std::string::npos, msg.c_str());
    QVERIFY2(msg.find(d + "/" + file.toStdString()) == 0,
             ("does not name the file: " + msg).c_str());
    QVERIFY2(msg.find('\n') == std::string::npos, "more than one line");
  }

  // Parts of tokenizer.json this tokenizer does not do are refused by name.
  void unsupportedTokenizerJson_data() {
    QTest::addColumn<QString>("pointer");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("fragment");
    QTest::newRow("normalizer") << "/normalizer"
                                << R"({"type": "NFC"})"
                                << "normalizer";
    QTest::newRow("pre-tokenizer") << "/pre_tokenizer"
                                   << R"({"type": "Metaspace"})"
                                   << "pre_tokenizer must be ByteLevel";
    QTest::newRow("post-processor") << "/post_processor"
                                    << R"({"type": "BertProcessing"})"
                                    << "post_processor \"BertProcessing\" is not supported";
    QTest::newRow("single_word") << "/added_tokens/0/single_word"
                                 << "true"
                                 << "single_word";
    QTest::newRow("added id gap") << "/added_tokens/0/id"
                                  << "70000"
                                  << "added token";
    QTest::newRow("dropout") << "/model/dropout"
                             << "0.1"
                             << "dropout";
    QTest::newRow("prefix") << "/model/continuing_subword_prefix"
                            << R"("##")"
                            << "continuing_subword_prefix";
    QTest::newRow("decoder") << "/decoder"
                             << R"({"type": "WordPiece"})"
                             << "decoder";
    QTest::newRow("template id") << "/post_processor/cls/1"
                                 << "123456"
                                 << "adds id 123456";
  }
  void unsupportedTokenizerJson() {
    QFETCH(QString, pointer);
    QFETCH(QString, value);
    QFETCH(QString, fragment);
    if (roberta_.is_null())  // built once: 50,000 merges take seconds under the sanitizers
      roberta_ = json::parse(testutil::readText(writeTokenizerJson("roberta", false)));
    json j = roberta_;
    j[json::json_pointer(pointer.toStdString())] = json::parse(value.toStdString());
    const std::string path = writeFile("unsupported.json", j.dump());
    PP_EXPECT_ERROR(Bpe::fromTokenizerJson(path), fragment.toStdString());
    PP_EXPECT_ERROR(Bpe::fromTokenizerJson(path), path + ": ");
  }
};

QTEST_APPLESS_MAIN(TestBpe)
#include "test_bpe.moc"
