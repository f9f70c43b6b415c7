// Which tokenizer a model directory holds: read from its files.
#include "paretoprune/formats/text_tokenizer.h"

#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "base/json_util.h"
#include "paretoprune/base/error.h"
#include "paretoprune/formats/bpe_tokenizer.h"
#include "paretoprune/formats/sentencepiece_tokenizer.h"
#include "paretoprune/formats/tokenizer.h"
#include "paretoprune/formats/unigram_tokenizer.h"

namespace pp {

namespace {
// tokenizer.json's model type ("WordPiece", "BPE", ...).
std::string modelTypeOf(const std::string& path) {
  const nlohmann::json j = jsonutil::parse(fileutil::readFile(path), path);
  if (!j.is_object() || !j.contains("model") || !j["model"].is_object())
    throw Error(path + ": no \"model\" object");
  const auto& m = j["model"];
  if (m.contains("type") && m["type"].is_string()) return m["type"].get<std::string>();
  // Older files leave the type out; WordPiece's has a continuing-subword prefix.
  if (m.contains("continuing_subword_prefix") && !m.contains("merges")) return "WordPiece";
  if (m.contains("merges")) return "BPE";
  if (m.contains("vocab") && m["vocab"].is_array()) return "Unigram";  // [piece, score] pairs
  throw Error(path + ": the model has no \"type\"");
}

// SentencePiece model files: XLM-RoBERTa's is read (SentencePieceTokenizer);
// spiece.model (ALBERT's, T5's, XLNet's) belongs to no family we support.
const char* const kXlmrSentencePiece = "sentencepiece.bpe.model";
const char* const kSentencePieceFiles[] = {kXlmrSentencePiece, "spiece.model"};
}  // namespace

bool tokenizerExistsIn(const std::string& dir) {
  for (const char* spm : kSentencePieceFiles)
    if (fileutil::exists(fileutil::joinPath(dir, spm))) return true;
  return WordPieceTokenizer::existsIn(dir) || ByteLevelBpeTokenizer::existsIn(dir);
}

std::shared_ptr<const TextTokenizer> loadTokenizer(const std::string& dir) {
  const std::string tj = fileutil::joinPath(dir, "tokenizer.json");
  if (fileutil::exists(tj)) {
    const std::string type = modelTypeOf(tj);
    if (type == "WordPiece")
      return std::make_shared<WordPieceTokenizer>(WordPieceTokenizer::fromTokenizerJson(tj));
    if (type == "BPE")
      return std::make_shared<ByteLevelBpeTokenizer>(ByteLevelBpeTokenizer::fromTokenizerJson(tj));
    if (type == "Unigram")
      return std::make_shared<UnigramTokenizer>(UnigramTokenizer::fromTokenizerJson(tj));
    throw Error(tj + ": tokenizer model \"" + jsonutil::shortText(type) +
                "\" is not supported (supported: WordPiece, byte-level BPE, Unigram)");
  }
  if (fileutil::exists(fileutil::joinPath(dir, "vocab.txt")))
    return std::make_shared<WordPieceTokenizer>(WordPieceTokenizer::fromDirectory(dir));
  if (ByteLevelBpeTokenizer::existsIn(dir))
    return std::make_shared<ByteLevelBpeTokenizer>(ByteLevelBpeTokenizer::fromDirectory(dir));
  const std::string xlmr = fileutil::joinPath(dir, kXlmrSentencePiece);
  if (fileutil::exists(xlmr))
    return std::make_shared<SentencePieceTokenizer>(SentencePieceTokenizer::fromModelFile(xlmr));
  const std::string other = fileutil::joinPath(dir, kSentencePieceFiles[1]);
  if (fileutil::exists(other))
    throw Error(other + ": a SentencePiece model in ALBERT's or T5's layout, which no supported " +
                "family uses; XLM-RoBERTa's is sentencepiece.bpe.model, or give tokenizer.json");
  throw Error(dir + ": no tokenizer (tokenizer.json, vocab.txt, or vocab.json with merges.txt)");
}

}  // namespace pp
