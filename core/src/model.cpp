#include "paretoprune/model.h"

#include <dlfcn.h>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "bert.h"
#include "compute_team.h"
#include "file_util.h"
#include "json_util.h"
#include "paretoprune/error.h"
#include "paretoprune/rng.h"
#include "paretoprune/safetensors.h"
#include "paretoprune/tokenizer.h"

namespace pp {

using nlohmann::json;

Model::Model(std::unique_ptr<ModelImpl> impl) : impl_(std::move(impl)) {}
Model::~Model() = default;

const BertConfig& Model::config() const {
  return impl_->config;
}
bool Model::hasTokenizer() const {
  return impl_->tokenizer.has_value();
}
const WordPieceTokenizer& Model::tokenizer() const {
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
    throw Error(where + ": \"" + key + "\" must list one order per layer");
  std::vector<std::vector<int64_t>> out;
  for (size_t l = 0; l < a.size(); ++l) {
    std::vector<int64_t> v;
    std::vector<bool> seen(ident[l].size(), false);
    if (!a[l].is_array() || a[l].size() != ident[l].size())
      throw Error(where + ": \"" + key + "\" of layer " + std::to_string(l) +
                  " must be a permutation of 0.." +
                  std::to_string(static_cast<int64_t>(ident[l].size()) - 1));
    for (const auto& x : a[l]) {
      if (!x.is_number_integer() || x.get<int64_t>() < 0 || x.get<size_t>() >= seen.size() ||
          seen[x.get<size_t>()])
        throw Error(where + ": \"" + key + "\" of layer " + std::to_string(l) +
                    " is not a permutation");
      seen[x.get<size_t>()] = true;
      v.push_back(x.get<int64_t>());
    }
    out.push_back(std::move(v));
  }
  return out;
}
}  // namespace

std::shared_ptr<const Model> Model::load(const std::string& dir) {
  if (!fileutil::isDirectory(dir))
    throw Error(dir + ": not a directory (expected a Hugging Face model directory)");
  auto impl = std::make_unique<ModelImpl>();
  impl->dir = dir;
  const std::string cfgPath = fileutil::joinPath(dir, "config.json");
  if (!fileutil::exists(cfgPath))
    throw Error(dir + ": no config.json (is this a Hugging Face model directory?)");
  impl->config = BertConfig::load(cfgPath);
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
    throw Error(dir + ": no model.safetensors");
  }
  SafetensorsFile file = SafetensorsFile::open(st);
  impl->weights = loadWeights(file, impl->config);
  impl->checksum = fileutil::fnv1a64Hex(st);
  if (WordPieceTokenizer::existsIn(dir)) {
    impl->tokenizer = WordPieceTokenizer::fromDirectory(dir);
    if (static_cast<int64_t>(impl->tokenizer->vocabSize()) > impl->config.vocab_size)
      throw Error(dir + ": the tokenizer has " + std::to_string(impl->tokenizer->vocabSize()) +
                  " pieces but config.json says vocab_size " +
                  std::to_string(impl->config.vocab_size));
  }
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

namespace {
std::vector<std::string> builtinVocab() {
  std::vector<std::string> v = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
  for (char c = 33; c < 127; ++c)
    if (!std::isalnum(static_cast<unsigned char>(c))) v.push_back(std::string(1, c));
  for (char c = '0'; c <= '9'; ++c) v.push_back(std::string(1, c));
  for (char c = 'a'; c <= 'z'; ++c) v.push_back(std::string(1, c));
  for (char c = '0'; c <= '9'; ++c) v.push_back("##" + std::string(1, c));
  for (char c = 'a'; c <= 'z'; ++c) v.push_back("##" + std::string(1, c));
  for (const char* w :
       {"the",  "and",   "is",      "was",   "it",   "this", "not", "good", "bad",   "great",
        "food", "movie", "service", "place", "very", "to",   "of",  "##ed", "##ing", "##ly"})
    v.push_back(w);
  return v;
}

// Standard normal from our platform-stable generator (Box-Muller).
float normal(Rng& r) {
  double u1 = r.uniform01(), u2 = r.uniform01();
  if (u1 < 1e-300) u1 = 1e-300;
  return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
}
}  // namespace

BertConfig shapedConfig(int64_t layers, int64_t hidden, int64_t heads, int64_t units, int64_t vocab,
                        int64_t maxPositions) {
  BertConfig c;
  c.vocab_size = vocab;
  c.hidden_size = hidden;
  c.num_hidden_layers = layers;
  c.num_attention_heads = heads;
  c.intermediate_size = units;
  c.max_position_embeddings = maxPositions;
  c.id2label = {"a", "b"};
  return c;
}

BertWeights randomWeights(const BertConfig& c, double stddev, uint64_t seed) {
  Rng rng(seed);
  BertWeights w;
  w.headSize = c.headSize();
  auto randn = [&](std::vector<int64_t> shape) {
    auto t = torch::empty(shape, torch::kFloat32);
    float* p = t.data_ptr<float>();
    for (int64_t i = 0; i < t.numel(); ++i) p[i] = normal(rng) * static_cast<float>(stddev);
    return t;
  };
  auto zeros = [](std::vector<int64_t> s) { return torch::zeros(s); };
  auto ones = [](std::vector<int64_t> s) { return torch::ones(s); };
  const int64_t H = c.hidden_size;
  w.word_emb = randn({c.vocab_size, H});
  w.pos_emb = randn({c.max_position_embeddings, H});
  w.type_emb = randn({c.type_vocab_size, H});
  w.emb_ln_w = ones({H});
  w.emb_ln_b = zeros({H});
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    const int64_t a = c.headsInLayer(l) * c.headSize(), I = c.unitsInLayer(l);
    LayerWeights lw;
    lw.heads = c.headsInLayer(l);
    lw.q_w = randn({a, H});
    lw.q_b = randn({a});
    lw.k_w = randn({a, H});
    lw.k_b = randn({a});
    lw.v_w = randn({a, H});
    lw.v_b = randn({a});
    lw.o_w = randn({H, a});
    lw.o_b = randn({H});
    lw.ln1_w = ones({H}) + randn({H});
    lw.ln1_b = randn({H});
    lw.i_w = randn({I, H});
    lw.i_b = randn({I});
    lw.out_w = randn({H, I});
    lw.out_b = randn({H});
    lw.ln2_w = ones({H}) + randn({H});
    lw.ln2_b = randn({H});
    w.layers.push_back(std::move(lw));
  }
  w.pool_w = randn({H, H});
  w.pool_b = randn({H});
  w.cls_w = randn({c.numLabels(), H});
  w.cls_b = randn({c.numLabels()});
  return w;
}

void writeRandomModel(const std::string& dir, const TinyModelOptions& o) {
  if (o.layers < 0 || o.hidden <= 0 || o.heads <= 0 || o.intermediate < 0 || o.labels < 1)
    throw Error("make-tiny: sizes must be positive");
  if (o.hidden % o.heads != 0)
    throw Error("make-tiny: hidden size must be divisible by the head count");
  std::filesystem::create_directories(dir);
  WordPieceTokenizer tok = [&] {
    if (!o.vocabFile.empty()) return WordPieceTokenizer::fromVocabFile(o.vocabFile);
    std::string text;
    for (const auto& p : builtinVocab()) text += p + "\n";
    const std::string tmp = fileutil::joinPath(dir, "vocab.txt");
    fileutil::writeFileAtomic(tmp, text);
    return WordPieceTokenizer::fromVocabFile(tmp);
  }();
  BertConfig c;
  c.vocab_size = static_cast<int64_t>(tok.vocabSize());
  c.hidden_size = o.hidden;
  c.num_hidden_layers = o.layers;
  c.num_attention_heads = o.heads;
  c.intermediate_size = o.intermediate;
  c.hidden_act = o.hiddenAct;
  if (!isSupportedActivation(c.hidden_act))
    throw Error("make-tiny: unknown activation \"" + c.hidden_act + "\"");
  c.max_position_embeddings = o.maxPositions;
  c.pad_token_id = tok.padId();
  c.initializer_range = o.initStd;
  for (int64_t i = 0; i < o.labels; ++i) c.id2label.push_back("LABEL_" + std::to_string(i));
  if (o.labels == 2) c.id2label = {"negative", "positive"};

  BertWeights w = randomWeights(c, o.initStd, o.seed);
  writeModelFiles(dir, c, w, &tok, identityOrder(c, true), identityOrder(c, false));
}

void writeModelFiles(const std::string& dir, const BertConfig& c, const BertWeights& w,
                     const WordPieceTokenizer* tok,
                     const std::vector<std::vector<int64_t>>& headOrder,
                     const std::vector<std::vector<int64_t>>& unitOrder,
                     const std::map<std::string, std::string>& metadata) {
  saveWeights(w, fileutil::joinPath(dir, "model.safetensors"), metadata);
  c.save(fileutil::joinPath(dir, "config.json"));
  if (tok) tok->save(dir, std::min<int64_t>(512, c.max_position_embeddings));
  const std::string orderPath = fileutil::joinPath(dir, "paretoprune_order.json");
  if (headOrder != identityOrder(c, true) || unitOrder != identityOrder(c, false)) {
    fileutil::writeFileAtomic(orderPath,
                              json({{"heads", headOrder}, {"units", unitOrder}}).dump() + "\n");
  } else if (fileutil::exists(orderPath)) {
    std::remove(orderPath.c_str());
  }
}

using OpenblasSetThreads = void (*)(int);

void setComputeThreads(int torchThreads, int blasThreads) {
  if (torchThreads > 0) at::set_num_threads(torchThreads);
  if (blasThreads > 0) {
    if (auto fn =
            reinterpret_cast<OpenblasSetThreads>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
      fn(blasThreads);
  }
}

int blasThreads() {
  using OpenblasGetThreads = int (*)();
  static const auto get =
      reinterpret_cast<OpenblasGetThreads>(::dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  return get ? get() : at::get_num_threads();
}

void useComputeThreads(ComputeUse use, int threads) {
  // blas_core.cpp chooses OpenBLAS's kernels before main(); naming them
  // here links it into every program that computes.
  static_cast<void>(blasCoreName());
  threads = std::max(1, threads);
  if (use == ComputeUse::Evaluation) {
    setComputeThreads(1, 1);
    setTeamThreads(threads);
  } else {
    setTeamThreads(1);
    setComputeThreads(1, threads);
  }
}

int hardwareThreads() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

std::string torchVersion() {
#ifdef TORCH_VERSION
  return TORCH_VERSION;
#else
  return std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
         std::to_string(TORCH_VERSION_PATCH);
#endif
}

}  // namespace pp
