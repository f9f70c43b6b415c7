// score-tags: entity-level scores of gold and predicted tag columns, as the
// CoNLL evaluation script reads them (conlleval's input: one token per
// line, gold tag then predicted tag in the last two columns, a blank line
// between sentences).
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "paretoprune/base/error.h"
#include "tagging_output.h"

namespace ppcli {

namespace {
using Sentences = std::vector<std::vector<std::string>>;

void readTagColumns(std::istream& in, const std::string& source, Sentences& gold, Sentences& pred) {
  std::vector<std::string> g, p;
  auto flush = [&] {
    if (!g.empty()) {
      gold.push_back(std::move(g));
      pred.push_back(std::move(p));
    }
    g.clear();
    p.clear();
  };
  std::string line;
  int64_t no = 0;
  while (std::getline(in, line)) {
    ++no;
    std::istringstream cols(line);
    std::vector<std::string> c;
    for (std::string f; cols >> f;) c.push_back(f);
    if (c.empty() || c[0] == "-DOCSTART-") {
      flush();
      continue;
    }
    if (c.size() < 2)
      throw pp::Error(source + ":" + std::to_string(no) +
                      ": expected the gold and the predicted tag in the last two columns");
    g.push_back(c[c.size() - 2]);
    p.push_back(c.back());
  }
  flush();
  if (gold.empty()) throw pp::Error(source + ": no tagged tokens");
}
}  // namespace

void addScoreTagsCommand(CLI::App& app, GlobalOptions& g) {
  auto file = std::make_shared<std::string>();
  auto scheme = std::make_shared<std::string>("auto");
  auto* cmd = app.add_subcommand(
      "score-tags",
      "Entity-level precision, recall and F1 of tag columns (conlleval's input: token, ..., "
      "gold tag, predicted tag; a blank line between sentences)");
  cmd->add_option("FILE", *file, "The file, or - for standard input")->required();
  cmd->add_option("--tag-scheme", *scheme, "auto, iob1, iob2 (bio) or iobes")
      ->capture_default_str();
  cmd->callback([file, scheme, &g] {
    Sentences gold, pred;
    if (*file == "-") {
      readTagColumns(std::cin, "standard input", gold, pred);
    } else {
      std::ifstream in(*file);
      if (!in) throw pp::Error(*file + ": cannot open");
      readTagColumns(in, *file, gold, pred);
    }
    const pp::TagScheme s = pp::parseTagScheme(*scheme);
    if (s != pp::TagScheme::Auto) pp::checkTagScheme(gold, s, *file);
    const pp::EntityMetrics m = pp::entityMetrics(gold, pred, s);
    if (g.json)
      std::cout << entityJson(m, 0).dump(2) << "\n";
    else
      printEntityTable(std::cout, m, 0);
  });
}

}  // namespace ppcli
