// The registry of model families: one line per family.
#include <vector>

#include "model/family.h"
#include "paretoprune/base/error.h"
#include "paretoprune/model/model_config.h"

namespace pp {

const ModelFamily& bertFamily();
const ModelFamily& distilbertFamily();
const ModelFamily& robertaFamily();
const ModelFamily& electraFamily();
const ModelFamily& xlmRobertaFamily();

namespace {
const std::vector<const ModelFamily*>& families() {
  static const std::vector<const ModelFamily*> all = {
      &bertFamily(), &distilbertFamily(), &robertaFamily(), &electraFamily(), &xlmRobertaFamily(),
  };
  return all;
}
}  // namespace

std::string supportedModelTypes() {
  std::string out;
  for (const ModelFamily* f : families()) out += (out.empty() ? "" : ", ") + f->modelType();
  return out;
}

const ModelFamily& familyFor(const std::string& modelType) {
  for (const ModelFamily* f : families())
    if (f->modelType() == modelType) return *f;
  throw Error("model_type \"" + modelType +
              "\" is not supported (supported: " + supportedModelTypes() + ")");
}

const ModelFamily& familyOf(const ModelConfig& c) {
  return familyFor(c.model_type);
}

TensorNames::TensorNames(const ModelConfig& c)
    : outer_(static_cast<size_t>(Part::ClassifierBias) + 1),
      layer_(static_cast<size_t>(c.num_hidden_layers), std::vector<std::string>(kLayerTensors)) {
  for (const TensorSpec& s : modelTensors(c)) {
    if (s.part == Part::Layer)
      layer_.at(static_cast<size_t>(s.layer)).at(static_cast<size_t>(s.layerTensor)) = s.name;
    else
      outer_.at(static_cast<size_t>(s.part)) = s.name;
  }
}

const std::string& TensorNames::of(Part p) const {
  return outer_.at(static_cast<size_t>(p));
}

const std::string& TensorNames::layer(int64_t l, LayerTensor t) const {
  return layer_.at(static_cast<size_t>(l)).at(static_cast<size_t>(t));
}

std::string ModelFamily::tokenArchitecture() const {
  std::string name = architecture();
  const std::string seq = "ForSequenceClassification";
  if (name.size() > seq.size() && name.compare(name.size() - seq.size(), seq.size(), seq) == 0)
    name.resize(name.size() - seq.size());
  return name + "ForTokenClassification";
}

std::vector<TensorSpec> modelTensors(const ModelConfig& c) {
  std::vector<TensorSpec> all = familyOf(c).tensors(c);
  if (!c.tokenClassification()) return all;
  std::vector<TensorSpec> out;
  for (auto& s : all)
    if (s.part != Part::HeadDenseWeight && s.part != Part::HeadDenseBias &&
        s.part != Part::ClassifierWeight && s.part != Part::ClassifierBias)
      out.push_back(std::move(s));
  out.push_back({"classifier.weight", {c.numLabels(), c.hidden_size}, Part::ClassifierWeight});
  out.push_back({"classifier.bias", {c.numLabels()}, Part::ClassifierBias});
  return out;
}

FamilyLayout modelLayout(const ModelConfig& c) {
  FamilyLayout l = familyOf(c).layout(c);
  if (c.tokenClassification()) l.headDense = false;
  return l;
}

std::string architectureOf(const ModelConfig& c) {
  const ModelFamily& f = familyOf(c);
  return c.tokenClassification() ? f.tokenArchitecture() : f.architecture();
}

bool isSkippedTensor(const ModelConfig& c, const std::string& name) {
  const ModelFamily& f = familyOf(c);
  if (f.isBuffer(name)) return true;
  if (!c.tokenClassification()) return false;
  const std::string pooler = f.basePrefix() + "pooler.";
  return name.rfind(pooler, 0) == 0 || name.rfind("pooler.", 0) == 0;
}

Task taskOfArchitecture(const std::string& name) {
  const std::string tok = "ForTokenClassification";
  return name.size() > tok.size() && name.compare(name.size() - tok.size(), tok.size(), tok) == 0
             ? Task::TokenClassification
             : Task::SequenceClassification;
}

std::string moduleOf(const std::string& tensorName) {
  const size_t dot = tensorName.rfind('.');
  return dot == std::string::npos ? tensorName : tensorName.substr(0, dot);
}

int64_t TensorSpec::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::vector<TensorSpec> layerSpecs(const ModelConfig& c, int64_t l, const std::string& prefix,
                                   const char* const (&names)[kLayerTensors]) {
  const int64_t H = c.hidden_size, a = c.headsInLayer(l) * c.headSize(), U = c.unitsInLayer(l);
  const std::vector<std::vector<int64_t>> shapes = {{a, H}, {a}, {a, H}, {a}, {a, H}, {a},
                                                    {H, a}, {H}, {H},    {H}, {U, H}, {U},
                                                    {H, U}, {H}, {H},    {H}};
  std::vector<TensorSpec> out;
  for (int i = 0; i < kLayerTensors; ++i) {
    TensorSpec s;
    s.name = prefix + names[i];
    s.shape = shapes[static_cast<size_t>(i)];
    s.part = Part::Layer;
    s.layer = l;
    s.layerTensor = static_cast<LayerTensor>(i);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace pp
