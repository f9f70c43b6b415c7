// Deciding from the command line on the demo model: a constrained search
// keeps its constraints in the log, its front and its recommended picks are
// feasible, bad constraints are one line, a resume under other constraints is
// refused; and the HTML report is self-contained and renders its images in
// a real headless browser (Debian's chromium; skipped where it is missing).
#include <QtTest>

#include <sstream>

#include <QImage>
#include <QStandardPaths>
#include <nlohmann/json.hpp>

#include "paretoprune/base/chart_frame.h"
#include "testutil.h"

using nlohmann::json;

namespace {
testutil::Run cli(const QStringList& args) {
  return testutil::runProgram(PARETOPRUNE_CLI, args);
}

const QString kDemo = QString(PARETOPRUNE_RESOURCES_DIR) + "/demo";

QStringList searchArgs(const QString& log) {
  return {"search",
          kDemo + "/model",
          "--data",
          kDemo + "/sentiment-train.tsv",
          "--validation",
          kDemo + "/sentiment-validation.tsv",
          "--val-subset",
          "150",
          "--max-length",
          "32",
          "--strategy",
          "nsga2",
          "--space",
          "seed",
          "--trials",
          "14",
          "--workers",
          "1",
          "--seed",
          "5",
          "--latency-runs",
          "1",
          "--no-multi-fidelity",
          "--log",
          log};
}

// The trial meets params_share<=0.6 and accuracy_drop<=1 against `ref`.
bool meetsLimits(const json& t, const json& ref) {
  return t["params"].get<double>() <= 0.6 * ref["params"].get<double>() &&
         100.0 * (ref["accuracy"].get<double>() - t["accuracy"].get<double>()) <= 1.0 + 1e-9;
}
}  // namespace

class TestReport : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  QString log_;
  json header_;

 private Q_SLOTS:
  void initTestCase() {
    log_ = tmp_.path() + "/run.jsonl";
    auto r = cli(searchArgs(log_) << "--constraint"
                                  << "params_share<=0.6"
                                  << "--constraint"
                                  << "accuracy_drop <= 1");
    QVERIFY2(r.code == 0, r.err.c_str());
    QVERIFY2(r.out.find("feasible trials only: params_share<=0.6, accuracy_drop<=1") !=
                 std::string::npos,
             r.out.c_str());
    const std::string text = testutil::readText(log_.toStdString());
    header_ = json::parse(text.substr(0, text.find('\n')));
  }

  void logKeepsConstraints() {
    QCOMPARE(header_["constraints"], json({"params_share<=0.6", "accuracy_drop<=1"}));
  }

  // The front `front` prints is the feasible one, and so is every pick.
  void frontAndPicksAreFeasible() {
    auto r = cli({"front", log_, "--json"});
    QVERIFY2(r.code == 0, r.err.c_str());
    const json front = json::parse(r.out);
    const json& ref = header_["reference"];
    for (const auto& t : front) QVERIFY2(meetsLimits(t, ref), t.dump().c_str());
    r = cli({"front", log_, "--json", "--recommend"});
    QVERIFY2(r.code == 0, r.err.c_str());
    const json picks = json::parse(r.out)["picks"];
    for (const auto& p : picks) QVERIFY2(meetsLimits(p["trial"], ref), p.dump().c_str());
    // Every trial, unconstrained: some of them break the limits here.
    r = cli({"front", log_, "--all", "--json"});
    bool someInfeasible = false;
    for (const auto& t : json::parse(r.out))
      someInfeasible = someInfeasible || (t["status"] == "ok" && !meetsLimits(t, ref));
    QVERIFY(someInfeasible);
    r = cli({"front", log_, "--recommend"});
    QVERIFY2(r.out.find("Recommended (feasible only):\n  knee: trial ") != std::string::npos,
             r.out.c_str());
  }

  void badConstraintsAreOneLine() {
    auto r = cli(searchArgs(tmp_.path() + "/bad.jsonl") << "--constraint"
                                                        << "latency<=5");
    QCOMPARE(r.code, 1);
    QCOMPARE(std::count(r.err.begin(), r.err.end(), '\n'), 1L);
    QVERIFY2(
        r.err.find("constraint \"latency<=5\": unknown metric \"latency\"") != std::string::npos,
        r.err.c_str());
    QVERIFY(!QFile::exists(tmp_.path() + "/bad.jsonl"));
    r = cli({"front", log_, "--constraint", "size_mb<5"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.find("unknown comparison \"<\" (use <= or >=)") != std::string::npos,
             r.err.c_str());
    // Resuming under other limits would mix two searches in one log.
    r = cli(searchArgs(log_) << "--resume"
                             << "--constraint"
                             << "params_share<=0.5");
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.find("searched under other constraints (params_share<=0.6, accuracy_drop<=1, "
                        "now params_share<=0.5)") != std::string::npos,
             r.err.c_str());
  }

  void reportIsSelfContained() {
    const QString out = tmp_.path() + "/report.html";
    auto r = cli({"report", log_, "--out", out});
    QVERIFY2(r.code == 0, r.err.c_str());
    const std::string html = testutil::readText(out.toStdString());
    for (const char* part :
         {"<h2>Recommended picks</h2>", "<b>knee</b>: trial", "params_share&lt;=0.6",
          "Chosen automatically", "Machine and times", "report written on", "class='pick'"})
      QVERIFY2(html.find(part) != std::string::npos, part);
    size_t images = 0;
    for (size_t at = html.find("<img"); at != std::string::npos; at = html.find("<img", at + 1)) {
      ++images;
      QVERIFY(html.compare(html.find("src=", at), 31, "src='data:image/svg+xml;base64,") == 0);
    }
    QCOMPARE(images, size_t{2});
    QVERIFY(html.find("<td>-0.0</td>") == std::string::npos);  // a change that rounds to zero
    // "Chosen automatically" in a user's words (the evidence on hover).
    QVERIFY(header_["auto"].is_array() && !header_["auto"].empty());
    for (const auto& a : header_["auto"]) {
      const std::string summary = a.value("summary", "");
      if (summary.empty() || summary.find_first_of("<>&'\"") != std::string::npos) continue;
      QVERIFY2(html.find("'>" + summary + "</td>") != std::string::npos, summary.c_str());
    }
    // The chart frames the y axis as the window does: a trial that lost more
    // than half of the full model's gain over chance sits at the edge.
    const size_t src = html.find("base64,") + 7;
    const std::string svgText = QByteArray::fromBase64(QByteArray::fromStdString(html.substr(
                                                           src, html.find('\'', src) - src)))
                                    .toStdString();
    std::vector<json> lines;
    std::istringstream in(testutil::readText(log_.toStdString()));
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) lines.push_back(json::parse(line));
    const json full = header_.value("reference", json());  // the full model's trial
    bool far = false;
    QVERIFY(full.contains("error") && header_.contains("chance_error"));
    const auto limit = pp::frameLimit(full["error"].get<double>(),
                                      header_["chance_error"].get<double>(), 0.02, false);
    for (const json& j : lines)  // the trials the chart draws: finished on the whole set
      if (limit && j.contains("trial") && j.value("status", "") == "ok" &&
          j.value("fidelity", 0.0) >= 1.0)
        far |= pp::beyondFrame(j["error"].get<double>(), full["error"].get<double>(), *limit);
    QCOMPARE(svgText.find("far worse (at the edge)") != std::string::npos, far);
    QVERIFY(html.find("http://") == std::string::npos &&
            html.find("https://") == std::string::npos);
    // A damaged log: one line naming it and the way out, which works.
    std::string text = testutil::readText(log_.toStdString());
    const size_t l3 = text.find('\n', text.find('\n') + 1) + 1;
    text.replace(l3, text.find('\n', l3) - l3, "{\"trial\": [oops");
    const QString damaged = tmp_.path() + "/damaged.jsonl", out2 = tmp_.path() + "/d.html";
    testutil::writeText(damaged.toStdString(), text);
    r = cli({"report", damaged, "--out", out2});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.find("line 3") != std::string::npos &&
                 r.err.find("--skip-bad-lines") != std::string::npos &&
                 r.err.find("json.exception") == std::string::npos,
             r.err.c_str());
    r = cli({"report", damaged, "--out", out2, "--skip-bad-lines"});
    QVERIFY2(r.code == 0, r.err.c_str());
    QVERIFY(QFile::exists(out2));
    // --model of another model than the log's: said, not reported under it.
    const QString other = tmp_.path() + "/other";
    r = cli({"make-tiny", other, "--layers", "1", "--hidden", "16", "--heads", "2",
             "--intermediate", "16"});
    QVERIFY2(r.code == 0, r.err.c_str());
    r = cli({"report", log_, "--model", other, "--out", tmp_.path() + "/o.html"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.find("another model") != std::string::npos, r.err.c_str());
    QVERIFY(!QFile::exists(tmp_.path() + "/o.html"));
    r = cli({"report", log_, "--out", out});  // never over a file without --force
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.find("exists; pass --force") != std::string::npos, r.err.c_str());
  }

  // Opened in headless Chromium: both images decode (naturalWidth > 0),
  // and the screenshot is not a blank page.
  void reportRendersInChromium() {
    const QString chromium = QStandardPaths::findExecutable("chromium");
    if (chromium.isEmpty())
      QSKIP("chromium is not installed (scripts/install-deps.sh installs it)");
    const QString out = tmp_.path() + "/shown.html";
    QVERIFY(cli({"report", log_, "--out", out}).code == 0);
    // A copy with a probe that writes each image's decoded width into the DOM.
    std::string html = testutil::readText(out.toStdString());
    html.insert(html.rfind("</body>"),
                "<script>window.onload=function(){document.body.setAttribute('data-widths',"
                "Array.from(document.images).map(function(i){return i.complete?i.naturalWidth:0})"
                ".join(','));};</script>");
    const QString probe = tmp_.path() + "/probe.html";
    testutil::writeText(probe.toStdString(), html);
    const QStringList common = {"--headless", "--no-sandbox", "--disable-gpu",
                                "--user-data-dir=" + tmp_.path() + "/chromium",
                                "--virtual-time-budget=5000"};
    auto r = testutil::runProgram(chromium, QStringList(common) << "--dump-dom"
                                                                << "file://" + probe);
    QVERIFY2(r.code == 0, r.err.c_str());
    QVERIFY2(r.out.find("data-widths=\"720,720\"") != std::string::npos,
             r.out.substr(0, 400).c_str());
    const QString png = tmp_.path() + "/report.png";
    r = testutil::runProgram(chromium, QStringList(common)
                                           << "--window-size=1000,1400"
                                           << "--screenshot=" + png << "file://" + out);
    QVERIFY2(r.code == 0, r.err.c_str());
    QImage shot(png);
    QVERIFY(!shot.isNull());
    QSet<QRgb> colours;
    for (int y = 0; y < shot.height(); y += 3)
      for (int x = 0; x < shot.width(); x += 3) colours.insert(shot.pixel(x, y));
    QVERIFY2(colours.size() > 50, QByteArray::number(colours.size()));
    if (qEnvironmentVariableIsSet("PP_KEEP_REPORT_SHOT"))
      QFile::copy(png, qEnvironmentVariable("PP_KEEP_REPORT_SHOT"));
  }
};

QTEST_GUILESS_MAIN(TestReport)
#include "test_report.moc"
