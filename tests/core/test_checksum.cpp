// The model checksum (issue 32): SHA-256 (checked against the standard's
// vectors) over the weights, config.json and the tokenizer's files, so a
// changed vocabulary is another model; logs of older versions (FNV-1a of
// model.safetensors alone) are still read, and say so when they do not match.
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

#include "base/file_util.h"
#include "base/sha256.h"
#include "model/checksum.h"
#include "paretoprune/base/error.h"
#include "paretoprune/model/model.h"
#include "paretoprune/model/random_model.h"
#include "paretoprune/search/run_log.h"
#include "testutil.h"

namespace {
bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}
}  // namespace

class TestChecksum : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  std::string dir_;

  std::string path(const std::string& n) const { return tmp_.path().toStdString() + "/" + n; }

 private Q_SLOTS:
  void initTestCase() {
    dir_ = path("m");
    auto o = pp::TinyModelOptions::shaped(1, 8, 2, 8);
    o.maxPositions = 16;
    pp::writeRandomModel(dir_, o);
  }

  // FIPS 180-2's examples, and a million 'a's through the streaming interface.
  void sha256KnownVectors() {
    QCOMPARE(pp::Sha256::hex(""),
             std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    QCOMPARE(pp::Sha256::hex("abc"),
             std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    QCOMPARE(pp::Sha256::hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
             std::string("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    pp::Sha256 h;
    const std::string chunk(1000, 'a');
    for (int i = 0; i < 1000; ++i) h.update(chunk);
    QCOMPARE(h.hexDigest(),
             std::string("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
    testutil::writeText(path("abc.txt"), "abc");
    pp::Sha256 f;
    f.updateFile(path("abc.txt"));
    QCOMPARE(f.hexDigest(), pp::Sha256::hex("abc"));
  }

  // The checksum covers the weights, config.json and the tokenizer.
  void coversWeightsConfigAndTokenizer() {
    const std::string sum = pp::Model::load(dir_)->checksum();
    QVERIFY2(sum.rfind("sha256:", 0) == 0 && sum.size() == 7 + 64, sum.c_str());
    QCOMPARE(pp::modelChecksum(dir_), sum);
    // A copy elsewhere is the same model.
    std::filesystem::copy(dir_, path("copy"), std::filesystem::copy_options::recursive);
    QCOMPARE(pp::modelChecksum(path("copy")), sum);
    // Another vocabulary (same size, one piece renamed): another model.
    std::string vocab = testutil::readText(path("copy/vocab.txt"));
    const size_t at = vocab.rfind('\n', vocab.size() - 2);
    QVERIFY(at != std::string::npos);
    vocab.insert(at + 1, "x");
    testutil::writeText(path("copy/vocab.txt"), vocab);
    QVERIFY(pp::modelChecksum(path("copy")) != sum);
    // config.json too (a changed label map changes what the logits mean).
    std::filesystem::remove_all(path("copy"));
    std::filesystem::copy(dir_, path("copy"), std::filesystem::copy_options::recursive);
    testutil::writeText(path("copy/config.json"),
                        testutil::readText(path("copy/config.json")) + "\n");
    QVERIFY(pp::modelChecksum(path("copy")) != sum);
    // The weights, tokenizer.json and a SentencePiece model (XLM-R's only
    // tokenizer file): one changed byte each, another model.
    for (const char* file : {"model.safetensors", "tokenizer.json", "sentencepiece.bpe.model"}) {
      std::filesystem::remove_all(path("copy"));
      std::filesystem::copy(dir_, path("copy"), std::filesystem::copy_options::recursive);
      const std::string f = path("copy/") + file;
      if (!std::filesystem::exists(f)) testutil::writeText(f, "spm model bytes");
      const std::string before = pp::modelChecksum(path("copy"));
      std::string bytes = testutil::readText(f);
      bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 1);
      testutil::writeText(f, bytes);
      QVERIFY2(pp::modelChecksum(path("copy")) != before, file);
    }
  }

  // A log written by an older ParetoPrune records FNV-1a of the weights: it
  // is still matched to its model, and a mismatch says what it was.
  void olderLogsStillMatch() {
    const auto m = pp::Model::load(dir_);
    pp::RunHeader h;
    h.model = dir_;
    h.modelChecksum = pp::fileutil::fnv1a64Hex(dir_ + "/model.safetensors");
    QVERIFY(pp::isLegacyChecksum(h.modelChecksum));
    pp::checkRunModel(h, m->checksum(), dir_, "old.jsonl");  // accepted
    h.modelChecksum = "0123456789abcdef";
    const std::string e =
        testutil::errorOf([&] { pp::checkRunModel(h, m->checksum(), dir_, "old.jsonl"); });
    QVERIFY2(contains(e, "another model") && contains(e, "older ParetoPrune"), e.c_str());
    // Resuming an older log of this model is allowed; of another, refused.
    pp::RunHeader now;
    now.model = dir_;
    now.modelChecksum = m->checksum();
    pp::RunHeader old = now;
    old.modelChecksum = pp::fileutil::fnv1a64Hex(dir_ + "/model.safetensors");
    old.checkResumable(now, "old.jsonl");
    old.modelChecksum = "0123456789abcdef";
    QVERIFY(contains(testutil::errorOf([&] { old.checkResumable(now, "old.jsonl"); }),
                     "older ParetoPrune"));
  }
};

QTEST_GUILESS_MAIN(TestChecksum)
#include "test_checksum.moc"
