#include "model/weights.h"

#include <cstring>
#include <set>

#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "model/family.h"
#include "paretoprune/base/error.h"
#include "paretoprune/base/json_parse.h"
#include "paretoprune/formats/safetensors.h"
#include "paretoprune/formats/text_tokenizer.h"
#include "paretoprune/model/model_config.h"

namespace pp {

using nlohmann::json;

std::vector<torch::Tensor*> LayerWeights::all() {
  return {&q_w,   &q_b,   &k_w, &k_b, &v_w,   &v_b,   &o_w,   &o_b,
          &ln1_w, &ln1_b, &i_w, &i_b, &out_w, &out_b, &ln2_w, &ln2_b};
}

std::vector<torch::Tensor*> EncoderWeights::all() {
  std::vector<torch::Tensor*> v;
  for (auto* t : {&emb.word, &emb.pos, &emb.type, &emb.ln_w, &emb.ln_b, &emb.proj_w, &emb.proj_b})
    if (t->defined()) v.push_back(t);
  for (auto& l : layers)
    for (auto* t : l.all()) v.push_back(t);
  for (auto* t : {&head.dense_w, &head.dense_b, &head.cls_w, &head.cls_b})
    if (t->defined()) v.push_back(t);
  return v;
}

torch::Tensor* tensorFor(EncoderWeights& w, const TensorSpec& s) {
  switch (s.part) {
    case Part::WordEmbeddings:
      return &w.emb.word;
    case Part::PositionEmbeddings:
      return &w.emb.pos;
    case Part::TypeEmbeddings:
      return &w.emb.type;
    case Part::EmbeddingNormWeight:
      return &w.emb.ln_w;
    case Part::EmbeddingNormBias:
      return &w.emb.ln_b;
    case Part::EmbeddingProjectionWeight:
      return &w.emb.proj_w;
    case Part::EmbeddingProjectionBias:
      return &w.emb.proj_b;
    case Part::Layer:
      return w.layers.at(static_cast<size_t>(s.layer)).all().at(static_cast<size_t>(s.layerTensor));
    case Part::HeadDenseWeight:
      return &w.head.dense_w;
    case Part::HeadDenseBias:
      return &w.head.dense_b;
    case Part::ClassifierWeight:
      return &w.head.cls_w;
    case Part::ClassifierBias:
      return &w.head.cls_b;
  }
  throw Error("tensorFor: unknown part");
}

EncoderWeights emptyWeights(const ModelConfig& c) {
  const FamilyLayout layout = modelLayout(c);
  EncoderWeights w;
  w.headSize = c.headSize();
  w.positionOffset = layout.positionOffset;
  w.headAct = activationFor(layout.headActivation);
  w.tokenHead = c.tokenClassification();
  w.layers.resize(static_cast<size_t>(c.num_hidden_layers));
  for (int64_t l = 0; l < c.num_hidden_layers; ++l)
    w.layers[static_cast<size_t>(l)].heads = c.headsInLayer(l);
  return w;
}

Act activationFor(const std::string& n) {
  if (n == "gelu") return Act::GeluErf;
  if (n == "gelu_new" || n == "gelu_pytorch_tanh" || n == "gelu_fast") return Act::GeluTanh;
  if (n == "relu") return Act::Relu;
  if (n == "silu" || n == "swish") return Act::Silu;
  if (n == "tanh") return Act::Tanh;
  throw Error("unsupported activation " + quoteText(n));
}

std::vector<std::vector<int64_t>> identityOrder(const ModelConfig& c, bool heads) {
  std::vector<std::vector<int64_t>> o;
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    int64_t n = heads ? c.headsInLayer(l) : c.unitsInLayer(l);
    std::vector<int64_t> v(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = i;
    o.push_back(std::move(v));
  }
  return o;
}

EncoderWeights weightsTo(const EncoderWeights& w, const torch::Device& device) {
  EncoderWeights o = w;
  for (torch::Tensor* t : o.all()) *t = t->to(device);
  return o;
}

const EncoderWeights& ModelImpl::weightsOn(const std::string& device) const {
  if (device.empty() || device == "cpu") return weights;
  std::lock_guard<std::mutex> lk(replicaMutex);
  auto it = replicas.find(device);
  if (it == replicas.end())
    it = replicas.emplace(device, weightsTo(weights, torch::Device(device))).first;
  return it->second;
}

namespace {
std::string shapeStr(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

// One tensor by name, checked against the expected shape, as float32.
torch::Tensor fetchTensor(const SafetensorsFile& f, const std::string& name,
                          const std::vector<int64_t>& shape) {
  const TensorView* t = f.find(name);
  if (!t)
    throw Error(f.path() + ": missing tensor " + quoteText(name) + " (expected shape " +
                shapeStr(shape) + ")");
  if (t->shape != shape)
    throw Error(f.path() + ": tensor " + quoteText(name) + " has shape " + shapeStr(t->shape) +
                ", expected " + shapeStr(shape));
  std::vector<float> data = SafetensorsFile::toFloat32(*t);
  auto out = torch::empty(shape, torch::kFloat32);
  if (!data.empty()) std::memcpy(out.data_ptr<float>(), data.data(), data.size() * sizeof(float));
  if (!torch::isfinite(out).all().item<bool>())
    throw Error(f.path() + ": tensor \"" + name +
                "\" contains NaN or infinite values; refusing to load it");
  return out;
}
}  // namespace

EncoderWeights loadWeights(const SafetensorsFile& f, const ModelConfig& c) {
  const ModelFamily& family = familyOf(c);
  const std::string prefix = family.basePrefix();
  bool prefixed = false;
  for (const auto& t : f.tensors())
    if (t.name.rfind(prefix, 0) == 0) prefixed = true;
  EncoderWeights w = emptyWeights(c);
  std::set<std::string> used;
  for (const TensorSpec& spec : modelTensors(c)) {
    std::string name = spec.name;
    if (!prefixed && name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
    *tensorFor(w, spec) = fetchTensor(f, name, spec.shape);
    used.insert(name);
  }
  std::vector<std::string> unexpected;
  for (const auto& t : f.tensors())
    if (!used.count(t.name) && !isSkippedTensor(c, t.name)) unexpected.push_back(t.name);
  if (!unexpected.empty()) {
    std::string list;
    for (size_t i = 0; i < unexpected.size() && i < 5; ++i)
      list += (i ? ", " : "") + ("\"" + unexpected[i] + "\"");
    if (unexpected.size() > 5) list += ", ... (" + std::to_string(unexpected.size()) + " in all)";
    throw Error(f.path() + ": unexpected tensor(s) " + list + " for a " + architectureOf(c) +
                " with this config.json");
  }
  return w;
}

std::vector<std::pair<std::string, torch::Tensor>> namedWeights(const EncoderWeights& w,
                                                                const ModelConfig& c) {
  auto& mw = const_cast<EncoderWeights&>(w);
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const TensorSpec& spec : modelTensors(c)) {
    if (spec.part == Part::Layer && spec.layer >= static_cast<int64_t>(w.layers.size()))
      throw Error("namedWeights: the config has more layers than the weights");
    out.emplace_back(spec.name, *tensorFor(mw, spec));
  }
  return out;
}

void saveWeights(const EncoderWeights& w, const ModelConfig& c, const std::string& path,
                 const std::map<std::string, std::string>& metadata) {
  std::vector<torch::Tensor> keep;
  std::vector<TensorToWrite> out;
  for (auto& [name, t] : namedWeights(w, c)) {
    auto ct = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    keep.push_back(ct);
    out.push_back({name, ct.sizes().vec(), ct.data_ptr<float>()});
  }
  std::map<std::string, std::string> meta = metadata;
  meta.emplace("format", "pt");
  writeSafetensors(path, out, meta);
}

void writeModelFiles(const std::string& dir, const ModelConfig& c, const EncoderWeights& w,
                     const TextTokenizer* tok, const std::vector<std::vector<int64_t>>& headOrder,
                     const std::vector<std::vector<int64_t>>& unitOrder,
                     const std::map<std::string, std::string>& metadata) {
  saveWeights(w, c, fileutil::joinPath(dir, "model.safetensors"), metadata);
  saveModelConfig(c, fileutil::joinPath(dir, "config.json"));
  if (tok) tok->save(dir, std::min<int64_t>(512, maxSequenceLength(c)));
  const std::string orderPath = fileutil::joinPath(dir, "paretoprune_order.json");
  if (headOrder != identityOrder(c, true) || unitOrder != identityOrder(c, false)) {
    fileutil::writeFileAtomic(orderPath,
                              json({{"heads", headOrder}, {"units", unitOrder}}).dump() + "\n");
  } else if (fileutil::exists(orderPath)) {
    std::remove(orderPath.c_str());
  }
}

}  // namespace pp
