// transformers' forward, written here from its modules by tensor name, as
// the tests' judge of our forward pass: BERT, DistilBERT, RoBERTa,
// XLM-RoBERTa and ELECTRA sequence classifiers, and their token
// classifiers (taggers).
#pragma once
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "paretoprune/formats/config.h"
#include "paretoprune/formats/safetensors.h"

namespace reference {

// A checkpoint's tensors by name, as float32.
struct Checkpoint {
  pp::SafetensorsFile file;
  explicit Checkpoint(const std::string& dir)
      : file(pp::SafetensorsFile::open(dir + "/model.safetensors")) {}
  torch::Tensor operator()(const std::string& name) const {
    const pp::TensorView* t = file.find(name);
    if (!t) throw std::runtime_error("reference: no tensor " + name);
    std::vector<float> v = pp::SafetensorsFile::toFloat32(*t);
    return torch::tensor(v).view(t->shape);
  }
  bool has(const std::string& name) const { return file.find(name) != nullptr; }
};

inline torch::Tensor lin(const Checkpoint& w, const std::string& m, const torch::Tensor& x) {
  return torch::linear(x, w(m + ".weight"), w(m + ".bias"));
}
inline torch::Tensor norm(const Checkpoint& w, const std::string& m, const torch::Tensor& x,
                          double eps) {
  return torch::layer_norm(x, {x.size(-1)}, w(m + ".weight"), w(m + ".bias"), eps);
}

// transformers' forward of a <type>ForSequenceClassification on one
// sequence (no padding), by the checkpoint's tensor names; of a
// <type>ForTokenClassification (`tagger`), every token's logits, [T * K].
inline std::vector<float> logits(const std::string& dir, const std::string& type,
                                 const pp::ModelConfig& c, const std::vector<int64_t>& ids,
                                 bool tagger = false) {
  const Checkpoint w(dir);
  const bool distil = type == "distilbert";
  // XLM-RoBERTa is RoBERTa's network under RoBERTa's names.
  const bool roberta = type == "roberta" || type == "xlm-roberta";
  const std::string base = roberta ? "roberta" : type;
  const std::string e = base + ".embeddings.";
  const int64_t T = static_cast<int64_t>(ids.size());
  auto idt = torch::tensor(ids, torch::kLong);
  // RoBERTa: create_position_ids_from_input_ids (cumsum of non-pad + padding_idx).
  auto pos = torch::arange(T, torch::kLong);
  if (roberta) pos = torch::cumsum(idt.ne(c.pad_token_id).to(torch::kLong), 0) + c.pad_token_id;
  auto x = torch::embedding(w(e + "word_embeddings.weight"), idt) +
           torch::embedding(w(e + "position_embeddings.weight"), pos);
  if (!distil) x = x + w(e + "token_type_embeddings.weight")[0];
  x = norm(w, e + "LayerNorm", x, c.layer_norm_eps);
  if (type == "electra" && w.has("electra.embeddings_project.weight"))
    x = lin(w, "electra.embeddings_project", x);
  const int64_t h = c.num_attention_heads, d = c.headSize();
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    const std::string p = (distil ? "distilbert.transformer.layer." : base + ".encoder.layer.") +
                          std::to_string(l) + ".";
    auto heads = [&](const std::string& m) {
      return lin(w, p + m, x).view({T, h, d}).transpose(0, 1);
    };
    auto q = heads(distil ? "attention.q_lin" : "attention.self.query") / std::sqrt(double(d));
    auto k = heads(distil ? "attention.k_lin" : "attention.self.key");
    auto v = heads(distil ? "attention.v_lin" : "attention.self.value");
    auto ctx = torch::matmul(torch::softmax(torch::matmul(q, k.transpose(1, 2)), -1), v);
    auto a = lin(w, p + (distil ? "attention.out_lin" : "attention.output.dense"),
                 ctx.transpose(0, 1).reshape({T, h * d}));
    x = norm(w, p + (distil ? "sa_layer_norm" : "attention.output.LayerNorm"), a + x,
             c.layer_norm_eps);
    auto f = torch::gelu(lin(w, p + (distil ? "ffn.lin1" : "intermediate.dense"), x));
    f = lin(w, p + (distil ? "ffn.lin2" : "output.dense"), f);
    x = norm(w, p + (distil ? "output_layer_norm" : "output.LayerNorm"), f + x, c.layer_norm_eps);
  }
  torch::Tensor out;
  if (tagger) {
    out = lin(w, "classifier", x).contiguous();
    return {out.data_ptr<float>(), out.data_ptr<float>() + out.numel()};
  }
  auto first = x[0];
  if (type == "bert")
    out = lin(w, "classifier", torch::tanh(lin(w, "bert.pooler.dense", first)));
  else if (distil)
    out = lin(w, "classifier", torch::relu(lin(w, "pre_classifier", first)));
  else if (roberta)
    out = lin(w, "classifier.out_proj", torch::tanh(lin(w, "classifier.dense", first)));
  else
    out = lin(w, "classifier.out_proj", torch::gelu(lin(w, "classifier.dense", first)));
  return {out.data_ptr<float>(), out.data_ptr<float>() + out.numel()};
}

}  // namespace reference
