// XLM-RoBERTa's tokenizer from a real SentencePiece Unigram model
// (tests/data/sentencepiece/test_model.model, from Debian's sentencepiece
// source package) against Hugging Face tokenizers 0.23.2 on the
// tokenizer.json transformers' XLMRobertaConverter makes of it
// (tests/data/reference/sentencepiece, written by tests/node/spm_reference.mjs):
// (a) our Unigram tokenizer on that tokenizer.json and the .model file read
// and converted by us, each on every case (Unicode, long words, the empty
// text, pairs, truncation of pairs); (b) Debian's libsentencepiece on the
// same texts (tests/core/spm_judge.cpp, a process of its own); every piece
// and id the same; loadTokenizer picks the .model where no tokenizer.json
// is; make-tiny writes a model around it that info, tokenize, eval and
// export read; damaged and foreign SentencePiece files are refused with one
// line.
#include <QtTest>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

#include <nlohmann/json.hpp>

#include "paretoprune/base/error.h"
#include "paretoprune/formats/sentencepiece_tokenizer.h"
#include "paretoprune/formats/text_tokenizer.h"
#include "paretoprune/formats/unigram_tokenizer.h"
#include "testutil.h"

using nlohmann::json;

namespace {
std::string show(const std::vector<int64_t>& v) {
  std::string s;
  for (int64_t x : v) s += std::to_string(x) + " ";
  return s;
}
const std::string kModel =
    std::string(PARETOPRUNE_SOURCE_DIR) + "/tests/data/sentencepiece/test_model.model";
const std::string kRef = std::string(PARETOPRUNE_REFERENCE_DIR) + "/sentencepiece";
}  // namespace

class TestSentencePiece : public QObject {
  Q_OBJECT
  std::vector<json> cases_;
  QTemporaryDir tmp_;

  std::string dir(const char* name) {
    const std::string d = tmp_.path().toStdString() + "/" + name;
    QDir().mkpath(QString::fromStdString(d));
    return d;
  }

  // The cases `tok` encodes as tokenizers does; the others' descriptions.
  int matches(const pp::TextTokenizer& tok, std::vector<std::string>& misses) {
    int n = 0;
    for (size_t i = 0; i < cases_.size(); ++i) {
      const json& c = cases_[i];
      const std::string text = c["text"], pair = c.value("pair", std::string());
      const bool hasPair = c.contains("pair");
      const pp::Encoding e =
          tok.encode(text, hasPair ? &pair : nullptr, c.value("max_length", int64_t{0}));
      const auto want = c["ids"].get<std::vector<int64_t>>();
      if (e.ids == want && e.type_ids == c["type_ids"].get<std::vector<int64_t>>()) {
        ++n;
        continue;
      }
      misses.push_back("case " + std::to_string(i) + " " + json(text).dump() +
                       (hasPair ? " + " + json(pair).dump() : "") + "\n  got  " + show(e.ids) +
                       "\n  want " + show(want));
    }
    return n;
  }

 private Q_SLOTS:
  void initTestCase() {
    std::stringstream ss(testutil::readText(kRef + "/cases.jsonl"));
    for (std::string line; std::getline(ss, line);)
      if (!line.empty()) cases_.push_back(json::parse(line));
    QVERIFY(cases_.size() > 150);
  }

  // (a) The tokenizer.json path on the real vocabulary: every case.
  void unigramJsonMatchesTokenizers() {
    const auto tok = pp::UnigramTokenizer::fromTokenizerJson(kRef + "/tokenizer.json");
    std::vector<std::string> misses;
    const int n = matches(tok, misses);
    QVERIFY2(misses.empty(), misses.empty() ? "" : misses.front().c_str());
    qInfo("tokenizer.json: %d of %zu cases as tokenizers", n, cases_.size());
  }

  // The .model path (converted as transformers converts it): every case.
  void modelFileMatchesTokenizers() {
    const auto tok = pp::SentencePieceTokenizer::fromModelFile(kModel);
    QCOMPARE(tok.kind(), std::string("unigram"));
    std::vector<std::string> misses;
    const int n = matches(tok, misses);
    QVERIFY2(misses.empty(), misses.empty() ? "" : misses.front().c_str());
    qInfo("sentencepiece.bpe.model: %d of %zu cases as tokenizers", n, cases_.size());
  }

  // (b) Debian's libsentencepiece on the same texts (spm_judge, a process
  // of its own): the same pieces, fairseq's offset aside, except where
  // SentencePiece itself differs from transformers' fast tokenizer: a text
  // holding "▁" (a space to SentencePiece) or ending in whitespace other than
  // spaces (which only the fast tokenizer's Strip removes).
  void libSentencePieceAgrees() {
    const auto tok = pp::SentencePieceTokenizer::fromModelFile(kModel);
    std::vector<std::string> texts;
    QByteArray input;
    for (const json& c : cases_) {
      const std::string t = c["text"];
      if (c.contains("pair") || c.contains("max_length") || t.find('<') != std::string::npos)
        continue;
      texts.push_back(t);
      input += QByteArray::fromStdString(json(t).dump() + "\n");
    }
    const auto r =
        testutil::runProgram(PARETOPRUNE_SPM_JUDGE, {QString::fromStdString(kModel)}, input);
    QVERIFY2(r.code == 0, r.err.c_str());
    std::stringstream out(r.out);
    size_t same = 0, i = 0;
    for (std::string line; std::getline(out, line); ++i) {
      QVERIFY(i < texts.size());
      std::vector<int64_t> want;
      for (int id : json::parse(line).get<std::vector<int>>()) want.push_back(id == 0 ? 3 : id + 1);
      if (tok.tokenIds(texts[i]) == want) {
        ++same;
        continue;
      }
      const std::string& t = texts[i];
      const bool meta = t.find("\u2581") != std::string::npos;
      const size_t end = t.find_last_not_of(' ');
      const bool trailing =
          end != std::string::npos && std::isspace(static_cast<unsigned char>(t[end]));
      QVERIFY2(meta || trailing, (json(t).dump() + "\n  ours " + show(tok.tokenIds(t)) +
                                  "\n  libsentencepiece " + show(want))
                                     .c_str());
    }
    QCOMPARE(i, texts.size());
    QVERIFY(same + 10 >= texts.size());
    qInfo("libsentencepiece: %zu of %zu texts the same", same, texts.size());
  }

  // fairseq's offset: both paths give every id the same piece.
  void idsAreXlmRobertas() {
    const auto spm = pp::SentencePieceTokenizer::fromModelFile(kModel);
    const auto uni = pp::UnigramTokenizer::fromTokenizerJson(kRef + "/tokenizer.json");
    QCOMPARE(spm.vocabSize(), uni.vocabSize());
    QCOMPARE(spm.vocabSize(), size_t{1002});  // 1000 pieces, <pad>, <mask>
    for (size_t i = 0; i < spm.vocabSize(); ++i)
      QCOMPARE(spm.piece(static_cast<int64_t>(i)), uni.piece(static_cast<int64_t>(i)));
    QCOMPARE(spm.maskId(), uni.maskId());
    QCOMPARE(spm.clsId(), uni.clsId());
    QCOMPARE(spm.sepId(), uni.sepId());
    QCOMPARE(spm.padId(), uni.padId());
    QCOMPARE(spm.unkId(), uni.unkId());
    // A character the model has no piece for is <unk> (3), not the model's 0.
    const auto ids = spm.tokenIds("\xe9\xbe\x8d");  // 龍
    QVERIFY(std::find(ids.begin(), ids.end(), int64_t{3}) != ids.end());
    QVERIFY(std::find(ids.begin(), ids.end(), int64_t{0}) == ids.end());
    QCOMPARE(spm.tokenize("Hello <mask>").back(), std::string("<mask>"));
  }

  // A directory with sentencepiece.bpe.model and no tokenizer.json; saving
  // writes the same model file back; tokenizer.json wins where both are.
  void loadTokenizerPicksTheModelFile() {
    const std::string d = dir("spm");
    testutil::writeText(d + "/sentencepiece.bpe.model", testutil::readText(kModel));
    QVERIFY(pp::tokenizerExistsIn(d));
    const auto tok = pp::loadTokenizer(d);
    QVERIFY(dynamic_cast<const pp::SentencePieceTokenizer*>(tok.get()));
    QCOMPARE(tok->encode("Hello world").ids.size(), size_t{6});
    const std::string out = dir("saved");
    tok->save(out);
    QVERIFY(testutil::readText(out + "/sentencepiece.bpe.model") == testutil::readText(kModel));
    // The tokenizer.json saved beside it is the one tokenizers saved of
    // transformers' conversion.
    const json mine = json::parse(testutil::readText(out + "/tokenizer.json"));
    const json ref = json::parse(testutil::readText(kRef + "/tokenizer.json"));
    for (const char* key :
         {"normalizer", "pre_tokenizer", "post_processor", "added_tokens", "decoder"})
      QVERIFY2(mine[key] == ref[key], key);
    json mineModel = mine["model"], refModel = ref["model"];
    const json mineVocab = mineModel["vocab"], refVocab = refModel["vocab"];
    mineModel.erase("vocab");
    refModel.erase("vocab");
    QVERIFY(mineModel == refModel);
    QCOMPARE(mineVocab.size(), refVocab.size());
    // Scores are the model's floats; tokenizers prints some a digit shorter.
    for (size_t i = 0; i < mineVocab.size(); ++i) {
      QVERIFY(mineVocab[i][0] == refVocab[i][0]);
      QVERIFY(std::abs(mineVocab[i][1].get<double>() - refVocab[i][1].get<double>()) < 1e-9);
    }
    const json cfg = json::parse(testutil::readText(out + "/tokenizer_config.json"));
    QCOMPARE(cfg["tokenizer_class"].get<std::string>(), std::string("XLMRobertaTokenizer"));
    testutil::writeText(d + "/tokenizer.json", testutil::readText(kRef + "/tokenizer.json"));
    QVERIFY(dynamic_cast<const pp::UnigramTokenizer*>(pp::loadTokenizer(d).get()));
  }

  void refusesDamagedAndForeignFiles() {
    auto oneLine = [](const std::string& msg, const char* what) {
      return msg.find(what) != std::string::npos && msg.find('\n') == std::string::npos;
    };
    const std::string bad = dir("bad");
    testutil::writeText(bad + "/sentencepiece.bpe.model", "not a model");
    std::string msg = testutil::errorOf([&] { pp::loadTokenizer(bad); });
    QVERIFY2(oneLine(msg, "sentencepiece.bpe.model") && oneLine(msg, "not a SentencePiece model"),
             msg.c_str());
    const std::string model = testutil::readText(kModel);
    testutil::writeText(bad + "/sentencepiece.bpe.model", model.substr(0, model.size() / 2));
    msg = testutil::errorOf([&] { pp::loadTokenizer(bad); });
    QVERIFY2(oneLine(msg, "sentencepiece.bpe.model"), msg.c_str());
    // Models built field by field: a BPE one, and one without <unk> <s> </s> first.
    auto field = [](int number, const std::string& bytes) {
      return std::string(1, static_cast<char>(number << 3 | 2)) +
             std::string(1, static_cast<char>(bytes.size())) + bytes;
    };
    auto piece = [&](const std::string& p, int type) {
      return field(1, field(1, p) + std::string("\x15\0\0\0\0\x18", 6) +
                          std::string(1, static_cast<char>(type)));
    };
    const std::string pieces = piece("<unk>", 2) + piece("<s>", 3) + piece("</s>", 3) +
                               piece("a", 1) + piece("b", 1) + piece("\u2581", 1);
    testutil::writeText(bad + "/sentencepiece.bpe.model", pieces + field(2, "\x18\x02"));
    msg = testutil::errorOf([&] { pp::loadTokenizer(bad); });
    QVERIFY2(oneLine(msg, "sentencepiece.bpe.model") && oneLine(msg, "not Unigram"), msg.c_str());
    testutil::writeText(bad + "/sentencepiece.bpe.model", pieces + field(2, "\x18\x01"));
    QCOMPARE(pp::loadTokenizer(bad)->tokenize("ab ba"),
             (std::vector<std::string>{"\u2581", "a", "b", "\u2581", "b", "a"}));
    testutil::writeText(bad + "/sentencepiece.bpe.model", piece("a", 1) + pieces);
    msg = testutil::errorOf([&] { pp::loadTokenizer(bad); });
    QVERIFY2(oneLine(msg, "<unk> <s> </s>"), msg.c_str());
    testutil::writeText(bad + "/sentencepiece.bpe.model", pieces + piece("\xff", 1));
    msg = testutil::errorOf([&] { pp::loadTokenizer(bad); });
    QVERIFY2(oneLine(msg, "piece 6 is not UTF-8"), msg.c_str());
    const std::string albert = dir("albert");
    testutil::writeText(albert + "/spiece.model", model);
    QVERIFY(pp::tokenizerExistsIn(albert));
    msg = testutil::errorOf([&] { pp::loadTokenizer(albert); });
    QVERIFY2(oneLine(msg, "spiece.model") && oneLine(msg, "tokenizer.json"), msg.c_str());
  }

  // make-tiny around the real model file; info, tokenize, eval and export read it.
  void makeTinyInfoTokenizeEvalExport() {
    const QString model = tmp_.path() + "/tiny";
    auto cli = [](const QStringList& args, const QByteArray& in = {}) {
      return testutil::runProgram(PARETOPRUNE_CLI, args, in);
    };
    auto r = cli({"make-tiny", model, "--model-type", "xlm-roberta", "--vocab",
                  QString::fromStdString(kModel), "--layers", "1", "--hidden", "16", "--heads", "2",
                  "--intermediate", "16", "--seed", "4"});
    QVERIFY2(r.code == 0, r.err.c_str());
    const std::string d = model.toStdString();
    QVERIFY(!QFile::exists(model + "/tokenizer.json"));
    QVERIFY(testutil::readText(d + "/sentencepiece.bpe.model") == testutil::readText(kModel));
    r = cli({"info", model, "--json"});
    QVERIFY2(r.code == 0, r.err.c_str());
    QCOMPARE(json::parse(r.out)["vocab_size"].get<int64_t>(), int64_t{1002});
    r = cli({"tokenize", model}, R"({"text":"I was the first to go.","pair":"Me too"})"
                                 "\n");
    QVERIFY2(r.code == 0, r.err.c_str());
    const std::string pair = "Me too";
    const auto tok = pp::SentencePieceTokenizer::fromModelFile(kModel);
    QCOMPARE(json::parse(r.out)["ids"].get<std::vector<int64_t>>(),
             tok.encode("I was the first to go.", &pair).ids);
    const std::string data = tmp_.path().toStdString() + "/data.tsv";
    std::string t = "sentence\tlabel\n";
    for (int i = 0; i < 12; ++i)
      t += std::string(i % 2 ? "a fine day, \u00e9t\u00e9" : "\u65e5\u672c bad news") + "\t" +
           (i % 2 ? "positive" : "negative") + "\n";
    testutil::writeText(data, t);
    r = cli(
        {"eval", model, "--data", QString::fromStdString(data), "--json", "--latency-runs", "0"});
    QVERIFY2(r.code == 0, r.err.c_str());
    QCOMPARE(json::parse(r.out)["examples"].get<int>(), 12);
    // An export carries the model file and the tokenizer.json made of it.
    const QString out = tmp_.path() + "/exported";
    r = cli({"export", model, "--subnet", R"({"num_layers":1,"num_heads":1,"num_units":8})",
             "--out", out, "--format", "hf"});
    QVERIFY2(r.code == 0, r.err.c_str());
    QVERIFY(testutil::readText(out.toStdString() + "/sentencepiece.bpe.model") ==
            testutil::readText(kModel));
    const auto back = pp::loadTokenizer(out.toStdString());
    QVERIFY(dynamic_cast<const pp::UnigramTokenizer*>(back.get()));
    QCOMPARE(back->encode("I was the first to go.", &pair).ids,
             tok.encode("I was the first to go.", &pair).ids);
  }
};

QTEST_GUILESS_MAIN(TestSentencePiece)
#include "test_sentencepiece.moc"
