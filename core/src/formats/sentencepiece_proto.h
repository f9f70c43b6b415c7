// Internal: a SentencePiece model file (sentencepiece_model.proto's
// ModelProto in protobuf's wire format) read field by field: its pieces
// with their scores and types, the trainer's model type and the
// normalizer's precompiled charsmap.
#pragma once
#include <string>
#include <vector>

namespace pp::spmproto {

enum ModelType { kUnigram = 1, kBpe = 2, kWord = 3, kChar = 4 };
// SentencePiece.Type
enum PieceType {
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,
  kUserDefined = 4,
  kUnused = 5,
  kByte = 6
};

struct Piece {
  std::string piece;
  float score = 0;
  int type = kNormal;
};

struct Model {
  std::vector<Piece> pieces;
  int modelType = kUnigram;         // trainer_spec.model_type (Unigram where absent)
  std::string precompiledCharsmap;  // normalizer_spec.precompiled_charsmap (raw bytes)
};

// Throws pp::Error naming `where` where the bytes are not such a model.
Model read(const std::string& bytes, const std::string& where);

}  // namespace pp::spmproto
