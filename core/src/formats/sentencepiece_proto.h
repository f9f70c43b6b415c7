// Internal: what ParetoPrune reads itself of a SentencePiece model file
// (sentencepiece_model.proto's ModelProto in protobuf's wire format; Debian's
// libsentencepiece-dev ships no header for it): the trainer's model type and
// the normalizer's precompiled charsmap.
#pragma once
#include <string>

namespace pp::spmproto {

enum ModelType { kUnigram = 1, kBpe = 2, kWord = 3, kChar = 4 };

struct Summary {
  int modelType = kUnigram;         // trainer_spec.model_type (Unigram where absent)
  std::string precompiledCharsmap;  // normalizer_spec.precompiled_charsmap (raw bytes)
};

// Throws pp::Error naming `where` where the bytes are not protobuf.
Summary summarize(const std::string& bytes, const std::string& where);

}  // namespace pp::spmproto
