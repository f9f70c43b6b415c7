// Entity-level precision, recall and F1 with conlleval's chunk rules, on
// hand-made cases for each tagging scheme: chunks that start with I-,
// adjacent chunks of one type, the right span with the wrong type; and
// against seqeval (an independent implementation of conlleval's rules) on
// random tag sequences (tests/data/tagging/seqeval_reference.jsonl).
#include <QtTest>

#include <fstream>

#include <nlohmann/json.hpp>

#include "paretoprune/base/error.h"
#include "paretoprune/eval/entity_metrics.h"

namespace {
using Tags = std::vector<std::string>;
using Chunks = std::vector<pp::Chunk>;

std::string str(const Chunks& cs) {
  std::string s;
  for (const auto& c : cs)
    s += c.type + "[" + std::to_string(c.begin) + "," + std::to_string(c.end) + ") ";
  return s;
}
#define CHUNKS(tags, expected) QCOMPARE(str(pp::chunksOf(tags)), std::string(expected))
}  // namespace

class TestEntityMetrics : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void iob2Chunks() {
    CHUNKS((Tags{"B-PER", "I-PER", "O", "B-LOC"}), "PER[0,2) LOC[3,4) ");
    CHUNKS((Tags{"B-PER", "B-PER", "I-PER"}), "PER[0,1) PER[1,3) ");  // adjacent, same type
    CHUNKS((Tags{"B-PER", "I-LOC", "I-LOC"}), "PER[0,1) LOC[1,3) ");  // the type changes
    CHUNKS((Tags{"O", "O"}), "");
    CHUNKS((Tags{}), "");
  }

  void iob1ChunksStartWithI() {
    CHUNKS((Tags{"I-PER", "I-PER", "O", "I-LOC", "B-LOC"}), "PER[0,2) LOC[3,4) LOC[4,5) ");
    CHUNKS((Tags{"O", "I-ORG", "I-MISC"}), "ORG[1,2) MISC[2,3) ");
    CHUNKS((Tags{"PER", "PER", "O"}), "PER[0,2) ");  // raw types read as I-
  }

  void iobesChunks() {
    CHUNKS((Tags{"B-PER", "E-PER", "S-LOC", "B-ORG", "I-ORG", "E-ORG", "S-PER", "S-PER"}),
           "PER[0,2) LOC[2,3) ORG[3,6) PER[6,7) PER[7,8) ");
    CHUNKS((Tags{"E-PER", "I-PER", "O", "B-LOC", "O"}), "PER[0,1) PER[1,2) LOC[3,4) ");
    CHUNKS((Tags{"B-PER", "B-PER", "E-PER"}), "PER[0,1) PER[1,3) ");
  }

  void schemeDetectedAndChecked() {
    using S = pp::TagScheme;
    QCOMPARE(pp::detectTagScheme({{"B-PER", "I-PER"}, {"O"}}), S::IOB2);
    QCOMPARE(pp::detectTagScheme({{"B-PER", "I-PER"}, {"O", "I-LOC"}}), S::IOB1);
    QCOMPARE(pp::detectTagScheme({{"I-PER", "S-LOC"}}), S::IOBES);
    QCOMPARE(pp::parseTagScheme("BIO"), S::IOB2);
    QVERIFY_THROWS_EXCEPTION(pp::Error, pp::parseTagScheme("bilou2"));
    pp::checkTagScheme({{"I-PER"}}, S::IOB1, "gold");
    QVERIFY_THROWS_EXCEPTION(pp::Error, pp::checkTagScheme({{"S-PER"}}, S::IOB2, "gold"));
    try {
      pp::checkTagScheme({{"O"}, {"O", "I-PER"}}, S::IOB2, "gold");
      QFAIL("an I- chunk start passed as IOB2");
    } catch (const pp::Error& e) {
      QCOMPARE(std::string(e.what()),
               std::string("gold, sentence 2: a chunk starts with \"I-PER\" at word 2, which "
                           "IOB2 does not allow (use --tag-scheme iob1 or auto)"));
    }
  }

  void rightSpanWrongType() {
    const auto m =
        pp::entityMetrics({{"B-PER", "I-PER", "O", "B-LOC"}}, {{"B-PER", "I-PER", "O", "B-ORG"}});
    QCOMPARE(m.gold, int64_t(2));
    QCOMPARE(m.predicted, int64_t(2));
    QCOMPARE(m.correct, int64_t(1));
    QCOMPARE(m.f1, 0.5);
    QCOMPARE(m.tokenAccuracy, 0.75);
    QCOMPARE(m.perType.size(), size_t(3));  // LOC (missed), ORG (spurious), PER
    QCOMPARE(m.perType[0].type, std::string("LOC"));
    QCOMPARE(m.perType[0].recall, 0.0);
    QCOMPARE(m.perType[2].f1, 1.0);
  }

  void microAveragedOverSentences() {
    const auto m = pp::entityMetrics({{"B-PER", "I-PER", "O", "B-LOC"}, {"B-ORG", "O"}},
                                     {{"B-PER", "O", "O", "B-LOC"}, {"B-ORG", "B-MISC"}});
    QCOMPARE(m.gold, int64_t(3));
    QCOMPARE(m.predicted, int64_t(4));
    QCOMPARE(m.correct, int64_t(2));
    QCOMPARE(m.precision, 0.5);
    QCOMPARE(m.recall, 2.0 / 3.0);
    QVERIFY(std::abs(m.f1 - 4.0 / 7.0) < 1e-12);
    QVERIFY(std::abs(m.error() - 3.0 / 7.0) < 1e-12);
    QCOMPARE(m.tokenAccuracy, 4.0 / 6.0);
    QCOMPARE(m.sentences, int64_t(2));
    QCOMPARE(m.scheme, pp::TagScheme::IOB2);
    // A chunk cut short is wrong; a same-type chunk split in two is two wrong chunks.
    const auto split = pp::entityMetrics({{"B-PER", "I-PER"}}, {{"B-PER", "B-PER"}});
    QCOMPARE(split.correct, int64_t(0));
    QCOMPARE(split.predicted, int64_t(2));
    // IOB1 gold and an IOB2 prediction of the same chunks agree entirely.
    const auto mixed =
        pp::entityMetrics({{"I-PER", "I-PER", "B-PER"}}, {{"B-PER", "I-PER", "B-PER"}});
    QCOMPARE(mixed.f1, 1.0);
    QCOMPARE(mixed.scheme, pp::TagScheme::IOB1);
  }

  // 120 random cases (IOB2 and IOB1 judged by conlleval.pl, IOBES by a
  // port with S- and E- rules; scripts/conlleval_reference.py): the same
  // counts of gold, found and correct chunks, per-type scores and token
  // accuracy to conlleval's two decimals. Predictions break the scheme
  // (chunks starting with I-, E- without B-, type changes inside chunks).
  void agreesWithConlleval() {
    std::ifstream in(std::string(PARETOPRUNE_SOURCE_DIR) +
                     "/tests/data/tagging/conlleval_reference.jsonl");
    std::string line;
    int cases = 0;
    while (std::getline(in, line)) {
      const auto j = nlohmann::json::parse(line);
      const auto gold = j["gold"].get<std::vector<Tags>>();
      const auto pred = j["pred"].get<std::vector<Tags>>();
      const auto m = pp::entityMetrics(gold, pred);
      const std::string what =
          "case " + std::to_string(cases + 1) + " (" + j["scheme"].get<std::string>() + ")";
      QVERIFY2(m.gold == j["gold_chunks"].get<int64_t>(), what.c_str());
      QVERIFY2(m.predicted == j["found"].get<int64_t>(), what.c_str());
      QVERIFY2(m.correct == j["correct"].get<int64_t>(), what.c_str());
      if (j.contains("accuracy_percent"))
        QVERIFY2(std::abs(100 * m.tokenAccuracy - j["accuracy_percent"].get<double>()) < 0.0051,
                 what.c_str());
      const auto& types = j["per_type_percent"];
      QVERIFY2(m.perType.size() == types.size(), what.c_str());
      for (const auto& t : m.perType) {
        const auto& want = types.at(t.type);
        for (const auto& [ours, key] : {std::pair{t.precision, "precision"},
                                        std::pair{t.recall, "recall"}, std::pair{t.f1, "f1"}})
          QVERIFY2(std::abs(100 * ours - want[key].get<double>()) < 0.0051,
                   (what + " " + t.type + " " + key).c_str());
      }
      ++cases;
    }
    QCOMPARE(cases, 120);
  }

  void nothingFoundIsZero() {
    const auto m = pp::entityMetrics({{"O", "O"}}, {{"O", "O"}});
    QCOMPARE(m.f1, 0.0);
    QCOMPARE(m.tokenAccuracy, 1.0);
    QVERIFY_THROWS_EXCEPTION(pp::Error, pp::entityMetrics({{"O"}}, {{"O", "O"}}));
    QVERIFY_THROWS_EXCEPTION(pp::Error, pp::entityMetrics({{"O"}}, {}));
  }
};

QTEST_GUILESS_MAIN(TestEntityMetrics)
#include "test_entity_metrics.moc"
