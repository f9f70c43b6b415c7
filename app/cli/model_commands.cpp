// make-tiny, info and tokenize.
#include <filesystem>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "format.h"
#include "paretoprune/base/error.h"
#include "paretoprune/cpu/gemm.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/formats/config.h"
#include "paretoprune/formats/subnet.h"
#include "paretoprune/formats/text_tokenizer.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/model.h"
#include "paretoprune/model/model_config.h"
#include "paretoprune/model/random_model.h"
#include "text_input.h"

namespace ppcli {

using nlohmann::json;

void applyThreads(const GlobalOptions& g, int workers, pp::ComputeUse use) {
  // The cores shared among the workers (docs/performance.md); --threads
  // sets the budget.
  const int budget = g.threads > 0 ? g.threads : pp::hardwareThreads();
  pp::useComputeThreads(use, std::max(1, budget / std::max(1, workers)));
  pp::setGemmBackend(g.gemm);
}

void addMakeTinyCommand(CLI::App& app, GlobalOptions& g) {
  auto opts = std::make_shared<pp::TinyModelOptions>();
  auto out = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("make-tiny",
                                 "Write a random-initialised classifier (BERT, DistilBERT, "
                                 "RoBERTa, XLM-RoBERTa, ELECTRA) in Hugging Face format");
  cmd->add_option("OUT", *out, "Output directory")->required();
  cmd->add_option("--model-type", opts->modelType,
                  "The family, as config.json's model_type (" + pp::supportedModelTypes() + ")")
      ->capture_default_str();
  cmd->add_option("--layers", opts->layers, "Encoder layers")->capture_default_str();
  cmd->add_option("--hidden", opts->hidden, "Hidden size")->capture_default_str();
  cmd->add_option("--heads", opts->heads, "Attention heads")->capture_default_str();
  cmd->add_option("--intermediate", opts->intermediate, "Feed-forward units")
      ->capture_default_str();
  cmd->add_option("--labels", opts->labels, "Number of labels")->capture_default_str();
  auto task = std::make_shared<std::string>("sequence");
  cmd->add_option("--task", *task,
                  "sequence (a text classifier) or token (a tagger, ...ForTokenClassification, "
                  "labels O and B-/I- of each --tag-types)")
      ->check(CLI::IsMember({"sequence", "token"}))
      ->capture_default_str();
  cmd->add_option("--tag-types", opts->tagTypes, "A tagger's entity types")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--max-positions", opts->maxPositions, "max_position_embeddings")
      ->capture_default_str();
  cmd->add_option("--embedding-size", opts->embeddingSize,
                  "ELECTRA: embedding width (default: half the hidden size)");
  cmd->add_option("--vocab", opts->vocabFile,
                  "WordPiece vocab.txt to use; for xlm-roberta a SentencePiece Unigram .model "
                  "(default: a small built-in vocabulary)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--act", opts->hiddenAct, "hidden_act")->capture_default_str();
  cmd->add_option("--init-std", opts->initStd, "Standard deviation of the random weights")
      ->capture_default_str();
  cmd->add_option("--seed", opts->seed, "Random seed")->capture_default_str();
  cmd->callback([opts, out, task, &g] {
    opts->tokenClassification = *task == "token";
    pp::writeRandomModel(*out, *opts);
    if (g.json) {
      std::cout << json{{"written", *out}}.dump() << "\n";
    } else {
      std::cout << "wrote " << *out << " (config.json, model.safetensors, "
                << (opts->modelType == "roberta" || opts->modelType == "xlm-roberta"
                        ? "tokenizer.json"
                        : "vocab.txt")
                << ")\n";
    }
  });
}

void addInfoCommand(CLI::App& app, GlobalOptions& g) {
  auto dir = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("info", "Print a model's architecture and exact parameter count");
  cmd->add_option("MODEL", *dir, "Model directory (config.json alone is enough)")->required();
  cmd->callback([dir, &g] {
    std::string cfgPath = *dir + "/config.json";
    pp::ModelConfig c = pp::loadModelConfig(cfgPath);
    const int64_t params = pp::parameterCount(c);
    const int64_t flops = pp::flopCount(c, pp::SubNetwork::full(c), 128);
    // The evaluation's products on this machine: measured on this model's
    // shapes at first use (then cached), or forced.
    applyThreads(g);
    const std::string gemm = pp::gemmChoiceLine(c);
    if (g.json) {
      json j = pp::modelConfigToJson(c);
      j["parameters"] = params;
      j["flops_per_sequence_128"] = flops;
      j["cpu"] = pp::cpuDescription();
      j["gemm"] = gemm;
      std::cout << j.dump(2) << "\n";
      return;
    }
    std::cout << "model        " << *dir << "\n"
              << "family       " << pp::familyDisplayName(c) << " (" << c.model_type << ")\n"
              << "task         "
              << (c.tokenClassification() ? "token classification (a tagger)"
                                          : "sequence classification")
              << "\n"
              << "layers       " << c.num_hidden_layers << "\n"
              << "hidden       " << c.hidden_size << "\n"
              << "heads        " << c.num_attention_heads << " (head size " << c.headSize() << ")\n"
              << "feed-forward " << c.intermediate_size << "\n"
              << "activation   " << c.hidden_act << "\n"
              << "vocabulary   " << c.vocab_size << "\n"
              << "positions    " << c.max_position_embeddings << "\n"
              << "labels       ";
    for (size_t i = 0; i < c.id2label.size(); ++i) std::cout << (i ? ", " : "") << c.id2label[i];
    std::cout << "\n";
    if (!c.pruned_heads.empty()) {
      std::cout << "pruned heads ";
      for (const auto& [l, hs] : c.pruned_heads) std::cout << "L" << l << ":" << hs.size() << " ";
      std::cout << "\n";
    }
    std::cout << "parameters   " << thousands(params) << "\n"
              << "FLOPs/seq    " << si(static_cast<double>(flops)) << " at length 128\n"
              << "CPU          " << pp::cpuDescription() << "\n"
              << gemm << "\n";
    // No weights to load here: an export for another runtime, said as eval would.
    if (!std::filesystem::exists(std::filesystem::path(*dir) / "model.safetensors")) {
      try {
        pp::Model::load(*dir);
      } catch (const pp::Error& e) {
        std::cout << "note         " << e.what() << "\n";
      }
    }
  });
}

void addTokenizeCommand(CLI::App& app, GlobalOptions& g) {
  auto dir = std::make_shared<std::string>();
  auto maxLen = std::make_shared<int64_t>(0);
  auto tokens = std::make_shared<bool>(false);
  auto* cmd =
      app.add_subcommand("tokenize", "Tokenize JSON lines {\"text\":..,\"pair\":..} from stdin");
  cmd->add_option("MODEL", *dir, "Model or tokenizer directory (vocab.txt or tokenizer.json)")
      ->required();
  cmd->add_option("--max-length", *maxLen,
                  "Truncate (longest first) to this many tokens (0: no truncation)");
  cmd->add_flag("--tokens", *tokens, "Also print the word pieces");
  cmd->callback([dir, maxLen, tokens] {
    const std::shared_ptr<const pp::TextTokenizer> tokPtr = pp::loadTokenizer(*dir);
    const pp::TextTokenizer& tok = *tokPtr;
    forEachTextLine(std::cin, [&](const TextInput& in) {
      pp::Encoding e = tok.encode(in.text, in.hasPair ? &in.pair : nullptr, *maxLen);
      json out = {{"ids", e.ids}, {"type_ids", e.type_ids}};
      if (*tokens) {
        std::vector<std::string> t;
        for (int64_t id : e.ids) t.push_back(tok.piece(id));
        out["tokens"] = t;
      }
      std::cout << out.dump() << "\n";
    });
  });
}

}  // namespace ppcli
