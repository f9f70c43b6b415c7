// The judge of test_sentencepiece: Debian's libsentencepiece encodes texts
// with a SentencePiece model, in a process of its own (the library exports
// its own copy of protobuf, which crashes a process that also loads
// LibTorch's libprotobuf).
//   spm_judge MODEL < texts (one JSON string a line) > ids (one JSON array a line)
#include <iostream>
#include <string>
#include <vector>

#include <sentencepiece_processor.h>
#include <nlohmann/json.hpp>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: spm_judge MODEL < texts\n";
    return 2;
  }
  sentencepiece::SentencePieceProcessor sp;
  const auto loaded = sp.Load(argv[1]);
  if (!loaded.ok()) {
    std::cerr << argv[1] << ": " << loaded.ToString() << "\n";
    return 1;
  }
  for (std::string line; std::getline(std::cin, line);) {
    std::vector<int> ids;
    const auto status = sp.Encode(nlohmann::json::parse(line).get<std::string>(), &ids);
    if (!status.ok()) {
      std::cerr << status.ToString() << "\n";
      return 1;
    }
    std::cout << nlohmann::json(ids).dump() << "\n";
  }
  return 0;
}
