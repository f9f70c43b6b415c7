// Data files: TSV, CSV and JSON lines, column defaults and choices, label
// mapping, errors that name the line, and seeded splits.
#include <QtTest>

#include <nlohmann/json.hpp>

#include "paretoprune/formats/config.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/model/model_config.h"
#include "testutil.h"

class TestDataset : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  pp::ModelConfig config_;

  std::string write(const std::string& name, const std::string& text) {
    const std::string p = dir_.path().toStdString() + "/" + name;
    testutil::writeText(p, text);
    return p;
  }

 private Q_SLOTS:
  void initTestCase() {
    config_ = pp::modelConfigFromJson(nlohmann::json::parse(
        R"({"model_type":"bert","vocab_size":10,"hidden_size":8,"num_hidden_layers":1,"num_attention_heads":2,
            "intermediate_size":4,"id2label":{"0":"entailment","1":"not_entailment"}})"));
  }

  void glueStyleTsv() {
    auto p =
        write("rte.tsv",
              "index\tsentence1\tsentence2\tlabel\n0\tA man runs.\tA person moves.\tentailment\n"
              "1\tIt rains.\tIt is dry.\tnot_entailment\n");
    auto d = pp::loadDataset(p, config_);
    QVERIFY(d.hasPair);
    QCOMPARE(d.examples.size(), size_t(2));
    QCOMPARE(d.examples[1].pair, std::string("It is dry."));
    QCOMPARE(d.examples[1].label, int64_t(1));
    QCOMPARE(d.examples[1].line, int64_t(3));
  }

  void csvWithQuotes() {
    auto p =
        write("d.csv", "text,label\n\"Hello, \"\"world\"\"\",1\n\"two\nlines\",0\r\nplain,1\n");
    auto d = pp::loadDataset(p, config_);
    QCOMPARE(d.examples.size(), size_t(3));
    QCOMPARE(d.examples[0].text, std::string("Hello, \"world\""));
    QCOMPARE(d.examples[1].text, std::string("two\nlines"));
    QCOMPARE(d.examples[2].line, int64_t(5));
    QVERIFY(!d.hasPair);
  }

  // What spreadsheets write: a byte-order mark before the header, ';' where
  // ',' is the decimal mark; and files whose extension names another
  // separator than the one inside.
  void spreadsheetExports_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("text");
    QTest::newRow("bom csv") << "bom.csv"
                             << "\xEF\xBB\xBFtext,label\ngood,1\nbad,0\n";
    QTest::newRow("bom tsv") << "bom.tsv"
                             << "\xEF\xBB\xBFtext\tlabel\ngood\t1\nbad\t0\n";
    QTest::newRow("semicolons") << "semi.csv"
                                << "text;label\ngood;1\n\"bad; sad\";0\n";
    QTest::newRow("tabs in .csv") << "tabs.csv"
                                  << "text\tlabel\ngood\t1\nbad\t0\n";
    QTest::newRow("commas in .tsv") << "commas.tsv"
                                    << "text,label\ngood,1\n\"bad, sad\",0\n";
    // The content decides the format, not the extension.
    QTest::newRow("json lines in .csv") << "json.csv"
                                        << "{\"text\": \"good\", \"label\": 1}\n"
                                           "{\"text\": \"bad\", \"label\": 0}\n";
    QTest::newRow("bom json lines in .tsv") << "json.tsv"
                                            << "\xEF\xBB\xBF{\"text\": \"good\", \"label\": 1}\n"
                                               "{\"text\": \"bad\", \"label\": 0}\n";
    QTest::newRow("csv in .jsonl") << "csv.jsonl"
                                   << "text,label\ngood,1\n\"bad, sad\",0\n";
    QTest::newRow("tabs in .jsonl") << "tabs.jsonl"
                                    << "text\tlabel\ngood\t1\nbad\t0\n";
  }
  void spreadsheetExports() {
    QFETCH(QString, name);
    QFETCH(QString, text);
    auto d = pp::loadDataset(write(name.toStdString(), text.toStdString()), config_);
    QCOMPARE(d.examples.size(), size_t(2));
    QCOMPARE(d.examples[0].text, std::string("good"));
    QCOMPARE(d.examples[0].label, int64_t(1));
    QVERIFY(d.examples[1].text.rfind("bad", 0) == 0);
    QCOMPARE(d.examples[1].label, int64_t(0));
  }

  void jsonLinesAndNamedColumns() {
    auto p = write("d.jsonl",
                   "{\"review\":\"good\",\"y\":1}\n\n{\"review\":\"bad\",\"y\":\"entailment\"}\n");
    pp::DataColumns cols;
    cols.text = "review";
    cols.label = "y";
    auto d = pp::loadDataset(p, config_, cols);
    QCOMPARE(d.examples.size(), size_t(2));
    QCOMPARE(d.examples[0].label, int64_t(1));
    QCOMPARE(d.examples[1].label, int64_t(0));
  }

  void errors_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("fragment");
    QTest::newRow("unknown label")
        << "a.tsv" << QByteArray("text\tlabel\nx\t0\ny\tmaybe\n") << "line 3: label \"maybe\"";
    QTest::newRow("label out of range")
        << "a.tsv" << QByteArray("text\tlabel\nx\t0\ny\t2\n") << "line 3: label \"2\"";
    QTest::newRow("ragged") << "a.tsv" << QByteArray("text\tlabel\nx\t0\ty\n")
                            << "line 2 has 3 fields";
    QTest::newRow("missing column")
        << "a.tsv" << QByteArray("words\tlabel\nx\t0\n") << "no text column";
    QTest::newRow("no label column")
        << "a.tsv" << QByteArray("text\tclass\nx\t0\n") << "no label column";
    QTest::newRow("empty text") << "a.tsv" << QByteArray("text\tlabel\n \t0\ny\t1\n")
                                << "line 2: the text is empty";
    QTest::newRow("bad utf8") << "a.tsv" << QByteArray("text\tlabel\n\xff\t0\ny\t1\n")
                              << "not valid UTF-8";
    QTest::newRow("empty file") << "a.tsv" << QByteArray("") << "empty";
    QTest::newRow("no rows") << "a.tsv" << QByteArray("text\tlabel\n") << "no examples";
    QTest::newRow("one class") << "a.tsv" << QByteArray("text\tlabel\nx\t1\ny\t1\n")
                               << "at least two classes";
    QTest::newRow("bad json") << "a.jsonl" << QByteArray("{\"text\":\"x\",\"label\":0}\n{oops\n")
                              << "line 2: not valid JSON";
    QTest::newRow("open quote") << "a.csv" << QByteArray("text,label\n\"never closed,0\n")
                                << "never closed";
    QTest::newRow("format") << "a.xlsx" << QByteArray("x") << "unknown data format";
  }
  void errors() {
    QFETCH(QString, name);
    QFETCH(QByteArray, content);
    QFETCH(QString, fragment);
    auto p = write(name.toStdString(), content.toStdString());
    PP_EXPECT_ERROR(pp::loadDataset(p, config_), fragment.toStdString());
  }

  void seededSplit() {
    std::string text = "text\tlabel\n";
    for (int i = 0; i < 100; ++i)
      text += "example " + std::to_string(i) + "\t" + std::to_string(i % 2) + "\n";
    auto d = pp::loadDataset(write("s.tsv", text), config_);
    auto [train, val] = pp::splitDataset(d, 0.3, 7);
    QCOMPARE(val.examples.size(), size_t(30));
    QCOMPARE(train.examples.size(), size_t(70));
    auto [train2, val2] = pp::splitDataset(d, 0.3, 7);
    for (size_t i = 0; i < val.examples.size(); ++i)
      QCOMPARE(val.examples[i].text, val2.examples[i].text);
    auto [train3, val3] = pp::splitDataset(d, 0.3, 8);
    bool differs = false;
    for (size_t i = 0; i < val.examples.size(); ++i)
      differs |= val.examples[i].text != val3.examples[i].text;
    QVERIFY(differs);
    auto sub = pp::subsetDataset(d, 10, 1);
    QCOMPARE(sub.examples.size(), size_t(10));
    // A run's sets: the held-out share and the rest, or a separate file.
    const std::string data = write("s.tsv", text);
    auto v = pp::loadValidationSet(data, "", 0.3, 7, config_);
    auto t = pp::loadTrainingSet(data, "", 0.3, 7, config_);
    QCOMPARE(v.examples.size(), size_t(30));
    QCOMPARE(t.examples.size(), size_t(70));
    for (size_t i = 0; i < v.examples.size(); ++i)
      QCOMPARE(v.examples[i].text, val.examples[i].text);
    const std::string other = write("v.tsv", "text\tlabel\nheld out\t1\nand this\t0\n");
    QCOMPARE(pp::loadValidationSet(data, other, 0.3, 7, config_).examples.size(), size_t(2));
    QCOMPARE(pp::loadTrainingSet(data, other, 0.3, 7, config_).examples.size(), size_t(100));
    QCOMPARE(pp::loadValidationSet(data, "", 0.0, 7, config_).examples.size(), size_t(100));
  }
};

QTEST_APPLESS_MAIN(TestDataset)
#include "test_dataset.moc"
