// The checksum that ties a run log to its model (internal): SHA-256 over
// the files that decide what a sub-network computes, and the older FNV-1a
// checksum of model.safetensors alone that earlier logs record.
#pragma once
#include <string>

namespace pp {

// "sha256:" + 64 hex digits over config.json, model.safetensors, the
// tokenizer's files and paretoprune_order.json (each present one by name,
// size and bytes, in a fixed order).
std::string modelChecksum(const std::string& dir);
// A checksum as ParetoPrune wrote it before (16 hex digits, FNV-1a).
bool isLegacyChecksum(const std::string& recorded);
// Does `recorded` (a log's) name the model in `dir`, whose checksum is
// `current`? A legacy checksum is checked against model.safetensors.
bool checksumMatches(const std::string& recorded, const std::string& current,
                     const std::string& dir);
// ", an older ParetoPrune's checksum of model.safetensors alone" for a
// legacy checksum, else "": what a message adds after quoting one.
std::string legacyNote(const std::string& recorded);

}  // namespace pp
