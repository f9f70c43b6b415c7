#include "model/checksum.h"

#include <cctype>
#include <cstdint>
#include <filesystem>

#include "base/file_util.h"
#include "base/sha256.h"

namespace pp {

namespace {
// What decides a model's outputs; a missing one is simply not hashed.
const char* const kModelFiles[] = {"config.json",
                                   "model.safetensors",
                                   "tokenizer.json",
                                   "tokenizer_config.json",
                                   "special_tokens_map.json",
                                   "vocab.txt",
                                   "vocab.json",
                                   "merges.txt",
                                   "paretoprune_order.json",
                                   "sentencepiece.bpe.model",
                                   "spiece.model"};
}  // namespace

std::string modelChecksum(const std::string& dir) {
  Sha256 h;
  for (const char* name : kModelFiles) {
    const std::string path = fileutil::joinPath(dir, name);
    if (!fileutil::exists(path) || fileutil::isDirectory(path)) continue;
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    h.update(std::string(name) + '\0' + (ec ? std::string("?") : std::to_string(size)) + '\0');
    h.updateFile(path);  // streamed: weights are not held twice
  }
  return "sha256:" + h.hexDigest();
}

bool isLegacyChecksum(const std::string& recorded) {
  if (recorded.size() != 16) return false;
  for (char c : recorded)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

bool checksumMatches(const std::string& recorded, const std::string& current,
                     const std::string& dir) {
  if (recorded.empty()) return false;
  if (!isLegacyChecksum(recorded)) return recorded == current;
  const std::string weights = fileutil::joinPath(dir, "model.safetensors");
  return fileutil::exists(weights) && fileutil::fnv1a64Hex(weights) == recorded;
}

std::string legacyNote(const std::string& recorded) {
  return isLegacyChecksum(recorded) ? ", an older ParetoPrune's checksum of model.safetensors alone"
                                    : std::string();
}

}  // namespace pp
