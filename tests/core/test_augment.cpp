// Distillation's transfer set (train/augment.h): variants of the training
// sentences keep their special tokens and segments in place, take their
// pieces from the corpus, carry no label, are as noisy as the rules say and
// are the same for the same seed.
#include <QtTest>

#include <map>
#include <set>

#include "paretoprune/formats/tagging.h"
#include "train/augment.h"

namespace {
constexpr int64_t kCls = 101, kSep = 102, kPad = 0;

// [CLS] a... [SEP] (b... [SEP]) with token types 0 then 1.
pp::TokenizedExample example(const std::vector<int64_t>& a, const std::vector<int64_t>& b = {},
                             int64_t label = 1) {
  pp::TokenizedExample e;
  e.label = label;
  auto push = [&](int64_t id, int64_t type) {
    e.enc.ids.push_back(id);
    e.enc.type_ids.push_back(type);
  };
  push(kCls, 0);
  for (int64_t id : a) push(id, 0);
  push(kSep, 0);
  if (!b.empty()) {
    for (int64_t id : b) push(id, 1);
    push(kSep, 1);
  }
  return e;
}

std::vector<int64_t> range(int64_t from, int64_t n) {
  std::vector<int64_t> v;
  for (int64_t i = 0; i < n; ++i) v.push_back(from + i);
  return v;
}
}  // namespace

class TestAugment : public QObject {
  Q_OBJECT
  const std::vector<int64_t> specials_ = {kCls, kSep, kPad};

 private Q_SLOTS:
  void variantsKeepTheirFrame() {
    // Pairs: both segments, each of 12 pieces from its own range.
    std::vector<pp::TokenizedExample> train;
    for (int i = 0; i < 20; ++i)
      train.push_back(example(range(1000 + 100 * i, 12), range(5000, 12)));
    std::set<int64_t> corpus;
    for (const auto& e : train)
      for (int64_t id : e.enc.ids)
        if (id != kCls && id != kSep) corpus.insert(id);
    const auto v = pp::augmentExamples(train, specials_, 100, 3);
    QCOMPARE(v.size(), size_t(100));
    for (const auto& e : v) {
      QCOMPARE(e.label, pp::kIgnoredLabel);
      QCOMPARE(e.enc.ids.size(), e.enc.type_ids.size());
      QCOMPARE(e.enc.ids.front(), kCls);
      QCOMPARE(e.enc.ids.back(), kSep);
      // Two [SEP]s, each segment still there, token types as the segments'.
      int seps = 0;
      std::map<int64_t, int> perType;
      for (size_t i = 0; i < e.enc.ids.size(); ++i) {
        const int64_t id = e.enc.ids[i];
        if (id == kSep) {
          ++seps;
          continue;
        }
        if (id == kCls) continue;
        QVERIFY2(corpus.count(id), "a piece from outside the corpus");
        ++perType[e.enc.type_ids[i]];
      }
      QCOMPARE(seps, 2);
      QVERIFY(perType[0] >= 1 && perType[1] >= 1);
      // Token types stay with their segments: 0 up to the first [SEP], 1 after.
      const auto firstSep = std::find(e.enc.ids.begin(), e.enc.ids.end(), kSep) - e.enc.ids.begin();
      for (size_t i = 0; i < e.enc.ids.size(); ++i)
        QCOMPARE(e.enc.type_ids[i], static_cast<int64_t>(i) <= firstSep ? 0 : 1);
    }
  }

  // RoBERTa's pair: <s> a </s></s> b </s>, one token type. Both segments
  // stay, the double separator stays together, a pair is never cut to a window.
  void robertaPairKeepsItsSeparators() {
    constexpr int64_t s = 0, slash = 2;  // <s>, </s>
    pp::TokenizedExample e;
    e.label = 0;
    e.enc.ids = {s};
    for (int64_t id : range(100, 10)) e.enc.ids.push_back(id);
    e.enc.ids.insert(e.enc.ids.end(), {slash, slash});
    for (int64_t id : range(200, 10)) e.enc.ids.push_back(id);
    e.enc.ids.push_back(slash);
    e.enc.type_ids.assign(e.enc.ids.size(), 0);
    const auto v = pp::augmentExamples({e}, {s, slash, 1}, 400, 6);
    size_t shortest = 100;
    for (const auto& x : v) {
      const auto& ids = x.enc.ids;
      QCOMPARE(ids.front(), s);
      QCOMPARE(ids.back(), slash);
      const auto at = std::find(ids.begin(), ids.end(), slash) - ids.begin();
      QVERIFY(at >= 2);                                   // a piece of the first text
      QCOMPARE(ids[static_cast<size_t>(at) + 1], slash);  // </s></s> together
      QVERIFY(static_cast<size_t>(at) + 3 < ids.size());  // a piece of the second
      shortest = std::min(shortest, ids.size());
    }
    // Leaving out 10% of 20 pieces leaves far more than a window's 6 + 4 specials.
    QVERIFY2(shortest > 10, std::to_string(shortest).c_str());
  }

  // Nothing but special tokens: nothing to vary; the copy has no label.
  void onlySpecialTokens() {
    const auto v = pp::augmentExamples({example({})}, specials_, 3, 1);
    QCOMPARE(v.size(), size_t(3));
    for (const auto& x : v) {
      QCOMPARE(x.enc.ids, (std::vector<int64_t>{kCls, kSep}));
      QCOMPARE(x.label, pp::kIgnoredLabel);
    }
  }

  // One sentence of 40 distinct pieces, 2,000 variants: about 10% of the
  // pieces left out, 10% replaced, a quarter cut to a short window.
  void noiseAsTheRulesSay() {
    const std::vector<pp::TokenizedExample> train = {example(range(1000, 40))};
    const auto v = pp::augmentExamples(train, specials_, 2000, 9);
    int windows = 0;
    double kept = 0, changed = 0, full = 0;
    for (const auto& e : v) {
      const size_t n = e.enc.ids.size() - 2;  // less [CLS] and [SEP]
      if (n <= 6) {
        ++windows;
        continue;
      }
      ++full;
      kept += static_cast<double>(n) / 40;
      // A replaced piece is another of the sentence's: out of order.
      for (size_t i = 2; i + 1 < e.enc.ids.size(); ++i)
        if (e.enc.ids[i] <= e.enc.ids[i - 1]) ++changed;
    }
    QVERIFY2(windows > 400 && windows < 600, std::to_string(windows).c_str());
    const double keptShare = kept / full;  // 0.9 expected
    QVERIFY2(keptShare > 0.87 && keptShare < 0.93, std::to_string(keptShare).c_str());
    // A replacement breaks the ascending order about once (twice when inside).
    const double perSentence = changed / full;
    QVERIFY2(perSentence > 2 && perSentence < 8, std::to_string(perSentence).c_str());
  }

  void sameSeedSameVariants() {
    std::vector<pp::TokenizedExample> train;
    for (int i = 0; i < 7; ++i) train.push_back(example(range(200 + 10 * i, 9)));
    auto ids = [](const std::vector<pp::TokenizedExample>& v) {
      std::vector<std::vector<int64_t>> out;
      for (const auto& e : v) out.push_back(e.enc.ids);
      return out;
    };
    const auto a = pp::augmentExamples(train, specials_, 30, 4);
    QCOMPARE(ids(a), ids(pp::augmentExamples(train, specials_, 30, 4)));
    QVERIFY(ids(a) != ids(pp::augmentExamples(train, specials_, 30, 5)));
    // Every original is drawn before any is drawn twice: the first 7
    // variants come from 7 different sentences (each keeps pieces of its own range).
    std::set<int64_t> sources;
    for (size_t k = 0; k < 7; ++k) {
      std::map<int64_t, int> votes;
      for (int64_t id : a[k].enc.ids)
        if (id >= 200) ++votes[(id - 200) / 10];
      int64_t best = -1;
      for (const auto& [src, n] : votes)
        if (best < 0 || n > votes[best]) best = src;
      sources.insert(best);
    }
    QCOMPARE(sources.size(), size_t(7));
    QVERIFY(pp::augmentExamples(train, specials_, 0, 1).empty());
    QVERIFY(pp::augmentExamples({}, specials_, 10, 1).empty());
  }

  // A sentence of one piece keeps it (never an empty segment).
  void shortestSentenceKeepsAPiece() {
    const auto v = pp::augmentExamples({example({777})}, specials_, 200, 2);
    for (const auto& e : v) QCOMPARE(e.enc.ids, (std::vector<int64_t>{kCls, 777, kSep}));
  }
};

QTEST_GUILESS_MAIN(TestAugment)
#include "test_augment.moc"
