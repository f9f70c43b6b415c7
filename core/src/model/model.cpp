#include "paretoprune/model/model.h"

#include <thread>

#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "base/json_util.h"
#include "model/checksum.h"
#include "model/family.h"
#include "model/weights.h"
#include "paretoprune/base/error.h"
#include "paretoprune/base/rng.h"
#include "paretoprune/formats/safetensors.h"
#include "paretoprune/formats/text_tokenizer.h"
#include "paretoprune/model/model_config.h"

namespace pp {

using nlohmann::json;

Model::Model(std::unique_ptr<ModelImpl> impl) : impl_(std::move(impl)) {}
Model::~Model() = default;

const ModelConfig& Model::config() const {
  return impl_->config;
}
bool Model::hasTokenizer() const {
  return impl_->tokenizer != nullptr;
}
const TextTokenizer& Model::tokenizer() const {
  if (!impl_->tokenizer)
    throw Error(impl_->dir + ": the model has no tokenizer (add vocab.txt or tokenizer.json)");
  return *impl_->tokenizer;
}
const std::string& Model::directory() const {
  return impl_->dir;
}
const std::string& Model::checksum() const {
  return impl_->checksum;
}
const std::vector<std::vector<int64_t>>& Model::headOrder() const {
  return impl_->headOrder;
}
const std::vector<std::vector<int64_t>>& Model::unitOrder() const {
  return impl_->unitOrder;
}

namespace {
std::vector<std::vector<int64_t>> readOrder(const json& j, const char* key,
                                            const std::vector<std::vector<int64_t>>& ident,
                                            const std::string& where) {
  if (!j.contains(key)) return ident;
  const auto& a = j[key];
  if (!a.is_array() || a.size() != ident.size())
    throw Error(where + ": " + quoteText(key) + " must list one order per layer");
  std::vector<std::vector<int64_t>> out;
  for (size_t l = 0; l < a.size(); ++l) {
    std::vector<int64_t> v;
    std::vector<bool> seen(ident[l].size(), false);
    if (!a[l].is_array() || a[l].size() != ident[l].size())
      throw Error(where + ": " + quoteText(key) + " of layer " + std::to_string(l) +
                  " must be a permutation of 0.." +
                  std::to_string(static_cast<int64_t>(ident[l].size()) - 1));
    for (const auto& x : a[l]) {
      if (!x.is_number_integer() || x.get<int64_t>() < 0 || x.get<size_t>() >= seen.size() ||
          seen[x.get<size_t>()])
        throw Error(where + ": " + quoteText(key) + " of layer " + std::to_string(l) +
                    " is not a permutation");
      seen[x.get<size_t>()] = true;
      v.push_back(x.get<int64_t>());
    }
    out.push_back(std::move(v));
  }
  return out;
}
// The directory's tokenizer, of the kind the family expects and within the vocabulary.
std::shared_ptr<const TextTokenizer> checkedTokenizer(const std::string& dir,
                                                      const ModelConfig& c) {
  auto tok = loadTokenizer(dir);
  const ModelFamily& family = familyOf(c);
  const std::string want = family.layout(c).tokenizer;
  if (tok->kind() != want)
    throw Error(dir + ": the tokenizer files hold a " + tok->kind() + " tokenizer, but a " +
                family.displayName() + " model needs " + want);
  if (static_cast<int64_t>(tok->vocabSize()) > c.vocab_size)
    throw Error(dir + ": the tokenizer has " + std::to_string(tok->vocabSize()) +
                " pieces but config.json says vocab_size " + std::to_string(c.vocab_size));
  return tok;
}
}  // namespace

namespace {
// Names what a directory holds when it is not a model we can load: an ONNX
// or TorchScript export is the usual mistake, and it has its own runtime.
std::string notAModel(const std::string& dir, const std::string& fallback) {
  const std::string record = fileutil::joinPath(dir, "paretoprune.json");
  std::string format, loadsIn;
  if (fileutil::exists(record)) {
    try {
      json j = jsonutil::parse(fileutil::readFile(record), record);
      if (j.is_object() && j.contains("format") && j["format"].is_string())
        format = j["format"].get<std::string>();
      if (j.is_object() && j.contains("loads_in") && j["loads_in"].is_string())
        loadsIn = j["loads_in"].get<std::string>();
    } catch (const Error&) {
    }
  }
  const bool onnx = fileutil::exists(fileutil::joinPath(dir, "model.onnx")) ||
                    fileutil::exists(fileutil::joinPath(dir, "onnx/model.onnx")) ||
                    fileutil::exists(fileutil::joinPath(dir, "onnx/model_quantized.onnx"));
  const bool script = fileutil::exists(fileutil::joinPath(dir, "model.pt"));
  if (format.empty() && onnx) format = "onnx";
  if (format.empty() && script) format = "torchscript";
  if (format.empty() || format == "hf" || format == "hf-any") return dir + ": " + fallback;
  if (loadsIn.empty())
    loadsIn = format == "torchscript" ? "LibTorch / PyTorch (torch.jit.load)" : "ONNX Runtime";
  const bool vowel = std::string("aeiou").find(format[0]) != std::string::npos;  // an onnx, an int8
  return dir + ": this is " + (vowel ? "an " : "a ") + format + " export, which " + loadsIn +
         " load; ParetoPrune evaluates Hugging Face directories with model.safetensors (evaluate "
         "the source model with --subnet, or export with --format hf-any)";
}
}  // namespace

std::shared_ptr<const Model> Model::load(const std::string& dir) {
  if (!fileutil::isDirectory(dir))
    throw Error(dir + ": not a directory (expected a Hugging Face model directory)");
  auto impl = std::make_unique<ModelImpl>();
  impl->dir = dir;
  const std::string cfgPath = fileutil::joinPath(dir, "config.json");
  if (!fileutil::exists(cfgPath))
    throw Error(notAModel(dir, "no config.json (is this a Hugging Face model directory?)"));
  impl->config = loadModelConfig(cfgPath);
  impl->act = activationFor(impl->config.hidden_act);
  const std::string st = fileutil::joinPath(dir, "model.safetensors");
  if (!fileutil::exists(st)) {
    if (fileutil::exists(fileutil::joinPath(dir, "model.safetensors.index.json")))
      throw Error(dir +
                  ": sharded safetensors are not supported yet; save the model unsharded "
                  "(save_pretrained(..., max_shard_size=\"100GB\"))");
    if (fileutil::exists(fileutil::joinPath(dir, "pytorch_model.bin")))
      throw Error(
          dir +
          ": only pytorch_model.bin is there; ParetoPrune reads safetensors. Convert it in Python: "
          "AutoModelForSequenceClassification.from_pretrained(d).save_pretrained(d, "
          "safe_serialization=True)");
    throw Error(notAModel(dir, "no model.safetensors"));
  }
  SafetensorsFile file = SafetensorsFile::open(st);
  impl->weights = loadWeights(file, impl->config);
  impl->checksum = modelChecksum(dir);
  if (tokenizerExistsIn(dir)) impl->tokenizer = checkedTokenizer(dir, impl->config);
  impl->headOrder = identityOrder(impl->config, true);
  impl->unitOrder = identityOrder(impl->config, false);
  const std::string orderPath = fileutil::joinPath(dir, "paretoprune_order.json");
  if (fileutil::exists(orderPath)) {
    json j = jsonutil::parse(fileutil::readFile(orderPath), orderPath);
    if (!j.is_object()) throw Error(orderPath + ": expected a JSON object");
    impl->headOrder = readOrder(j, "heads", impl->headOrder, orderPath);
    impl->unitOrder = readOrder(j, "units", impl->unitOrder, orderPath);
  }
  return std::shared_ptr<const Model>(new Model(std::move(impl)));
}

}  // namespace pp
