#include "export/export_onnx.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include "base/file_util.h"
#include "model/family.h"
#include "paretoprune/base/error.h"
#include "paretoprune/model/model_config.h"

namespace pp {

namespace {

constexpr int64_t kOpset = 17;  // LayerNormalization is in opset 17

// Appends nodes and initializers to a GraphProto under unique names.
class GraphBuilder {
 public:
  explicit GraphBuilder(onnx::GraphProto* g) : g_(g) {}

  std::string fresh(const std::string& base) { return base + "_" + std::to_string(counter_++); }

  // A float32 initializer from a tensor (copied, contiguous).
  std::string floats(const std::string& name, const torch::Tensor& t) {
    auto c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    auto* init = g_->add_initializer();
    init->set_name(name);
    init->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t s : c.sizes()) init->add_dims(s);
    init->set_raw_data(std::string(static_cast<const char*>(c.data_ptr()),
                                   static_cast<size_t>(c.numel()) * sizeof(float)));
    return name;
  }
  std::string int8s(const std::string& name, const torch::Tensor& t) {
    auto c = t.detach().to(torch::kCPU, torch::kChar).contiguous();
    auto* init = g_->add_initializer();
    init->set_name(name);
    init->set_data_type(onnx::TensorProto::INT8);
    for (int64_t s : c.sizes()) init->add_dims(s);
    init->set_raw_data(
        std::string(static_cast<const char*>(c.data_ptr()), static_cast<size_t>(c.numel())));
    return name;
  }
  // A scalar or 1-D constant.
  std::string scalar(float v) {
    const std::string name = fresh("const_f");
    floats(name, torch::scalar_tensor(v, torch::kFloat32));
    return name;
  }
  std::string int64s(const std::vector<int64_t>& v, bool asScalar = false) {
    const std::string name = fresh("const_i");
    auto* init = g_->add_initializer();
    init->set_name(name);
    init->set_data_type(onnx::TensorProto::INT64);
    if (!asScalar) init->add_dims(static_cast<int64_t>(v.size()));
    for (int64_t x : v) init->add_int64_data(x);
    return name;
  }

  onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& in,
                        const std::vector<std::string>& out) {
    auto* n = g_->add_node();
    n->set_op_type(op);
    n->set_name(fresh(op));
    for (const auto& i : in) n->add_input(i);
    for (const auto& o : out) n->add_output(o);
    return n;
  }
  // One-output node; returns its output name.
  std::string op(const std::string& op, const std::vector<std::string>& in) {
    const std::string out = fresh(op + "_out");
    node(op, in, {out});
    return out;
  }
  static void attr(onnx::NodeProto* n, const std::string& name, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void attr(onnx::NodeProto* n, const std::string& name, float v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
  static void attr(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }

  int64_t nodeCount() const { return g_->node_size(); }

 private:
  onnx::GraphProto* g_;
  int64_t counter_ = 0;
};

void addValueInfo(onnx::ValueInfoProto* v, const std::string& name, int elemType,
                  const std::vector<std::string>& dims) {
  v->set_name(name);
  auto* t = v->mutable_type()->mutable_tensor_type();
  t->set_elem_type(elemType);
  for (const auto& d : dims) t->mutable_shape()->add_dim()->set_dim_param(d);
}

// Writes the forward pass of cpu/forward.cpp (encoderForward) node by
// node, each weight under the family's name for it.
class EncoderGraph {
 public:
  EncoderGraph(GraphBuilder& b, const EncoderWeights& w, const ModelConfig& c, Act act,
               const OnnxWriteOptions& o)
      : b_(b),
        w_(w),
        act_(act),
        o_(o),
        names_(c),
        layout_(modelLayout(c)),
        typeInput_(onnxTakesTokenTypes(c)) {}

  std::string build() {
    std::string x = embeddings();
    const std::string ext = extendedMask();
    for (size_t l = 0; l < w_.layers.size(); ++l) x = layer(x, ext, l);
    return head(x);
  }

 private:
  // x @ W^T + b, W [out, in] as in torch::linear; `quantize` for encoder weights.
  std::string linear(const std::string& x, const std::string& name, const torch::Tensor& wt,
                     const torch::Tensor& bias, bool quantize) {
    const torch::Tensor wT = wt.t().contiguous();
    std::string y;
    if (quantize && o_.int8) {
      const float scale = std::max(1e-8f, wT.abs().max().item<float>() / 127.0f);
      const std::string wq =
          b_.int8s(name + ".weight_int8", torch::round(wT / scale).clamp(-127, 127));
      const std::string xq = b_.fresh("xq"), xs = b_.fresh("xs"), xz = b_.fresh("xz");
      b_.node("DynamicQuantizeLinear", {x}, {xq, xs, xz});
      const std::string wz = b_.fresh("wz");
      b_.int8s(wz, torch::scalar_tensor(0, torch::kChar));
      const std::string acc = b_.op("MatMulInteger", {xq, wq, xz, wz});
      const std::string accF = b_.fresh("accf");
      GraphBuilder::attr(b_.node("Cast", {acc}, {accF}), "to",
                         static_cast<int64_t>(onnx::TensorProto::FLOAT));
      const std::string s = b_.op("Mul", {xs, b_.scalar(scale)});
      y = b_.op("Mul", {accF, s});
    } else {
      y = b_.op("MatMul", {x, b_.floats(name + ".weight", wT)});
    }
    return b_.op("Add", {y, b_.floats(name + ".bias", bias)});
  }

  std::string layerNorm(const std::string& x, const std::string& name, const torch::Tensor& g,
                        const torch::Tensor& beta) {
    const std::string out = b_.fresh("ln");
    auto* n = b_.node("LayerNormalization",
                      {x, b_.floats(name + ".weight", g), b_.floats(name + ".bias", beta)}, {out});
    GraphBuilder::attr(n, "axis", static_cast<int64_t>(-1));
    GraphBuilder::attr(n, "epsilon", static_cast<float>(o_.layerNormEps));
    return out;
  }

  // word + position (+ token type) embeddings, LayerNorm (and ELECTRA's projection).
  std::string embeddings() {
    const std::string words =
        b_.op("Gather", {b_.floats(names_.of(Part::WordEmbeddings), w_.emb.word), "input_ids"});
    const std::string pos = positions();
    const std::string posEmb =
        b_.op("Gather", {b_.floats(names_.of(Part::PositionEmbeddings), w_.emb.pos), pos});
    std::string types;
    if (typeInput_)
      types = b_.op("Gather",
                    {b_.floats(names_.of(Part::TypeEmbeddings), w_.emb.type), "token_type_ids"});
    else if (w_.emb.type.defined())  // one token type: its row, added to every token
      types = b_.floats(names_.of(Part::TypeEmbeddings), w_.emb.type);
    std::string sum = b_.op("Add", {words, posEmb});
    if (!types.empty()) sum = b_.op("Add", {sum, types});
    const std::string x =
        layerNorm(sum, moduleOf(names_.of(Part::EmbeddingNormWeight)), w_.emb.ln_w, w_.emb.ln_b);
    if (!w_.emb.proj_w.defined()) return x;
    return linear(x, moduleOf(names_.of(Part::EmbeddingProjectionWeight)), w_.emb.proj_w,
                  w_.emb.proj_b, false);
  }

  // Position ids: 0..T-1 (BERT), or, where positions start after
  // padding_idx (RoBERTa), cumsum(mask) * mask + padding_idx as transformers
  // computes them: offset, offset + 1, ... on tokens, padding_idx on padding.
  std::string positions() {
    if (layout_.positionOffset == 0) {
      const std::string shape = b_.op("Shape", {"input_ids"});
      const std::string T = b_.op("Gather", {shape, b_.int64s({1}, true)});
      return b_.op("Range", {b_.int64s({0}, true), T, b_.int64s({1}, true)});
    }
    const std::string counts = b_.op("CumSum", {"attention_mask", b_.int64s({1}, true)});
    return b_.op("Add", {b_.op("Mul", {counts, "attention_mask"}),
                         b_.int64s({layout_.positionOffset - 1}, true)});
  }

  // (1 - mask) * lowest, [B, 1, 1, T]: 0 where attended, as transformers builds it.
  std::string extendedMask() {
    const std::string m = b_.fresh("mask_f");
    GraphBuilder::attr(b_.node("Cast", {"attention_mask"}, {m}), "to",
                       static_cast<int64_t>(onnx::TensorProto::FLOAT));
    const std::string inv = b_.op("Sub", {b_.scalar(1.0f), m});
    const std::string add = b_.op("Mul", {inv, b_.scalar(std::numeric_limits<float>::lowest())});
    return b_.op("Unsqueeze", {add, b_.int64s({1, 2})});
  }

  std::string transpose(const std::string& x, const std::vector<int64_t>& perm) {
    const std::string out = b_.fresh("tr");
    GraphBuilder::attr(b_.node("Transpose", {x}, {out}), "perm", perm);
    return out;
  }

  // `p`(t): the module name of layer tensor t ("bert.encoder.layer.3.attention.self.query").
  template <class ModuleName>
  std::string attention(const std::string& x, const std::string& ext, const LayerWeights& lw,
                        const ModuleName& p) {
    const int64_t h = lw.heads, d = w_.headSize;
    const std::string split = b_.int64s({0, 0, h, d});
    auto heads = [&](const std::string& name, const torch::Tensor& wt, const torch::Tensor& bias) {
      return b_.op("Reshape", {linear(x, name, wt, bias, true), split});
    };
    const std::string q =
        transpose(heads(p(LayerTensor::QueryWeight), lw.q_w, lw.q_b), {0, 2, 1, 3});  // B h T d
    const std::string kT =
        transpose(heads(p(LayerTensor::KeyWeight), lw.k_w, lw.k_b), {0, 2, 3, 1});  // B h d T
    const std::string v =
        transpose(heads(p(LayerTensor::ValueWeight), lw.v_w, lw.v_b), {0, 2, 1, 3});  // B h T d
    const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(d)));
    const std::string scores =
        b_.op("Add", {b_.op("Mul", {b_.op("MatMul", {q, kT}), b_.scalar(scale)}), ext});
    const std::string probs = b_.fresh("probs");
    GraphBuilder::attr(b_.node("Softmax", {scores}, {probs}), "axis", static_cast<int64_t>(-1));
    const std::string ctx = transpose(b_.op("MatMul", {probs, v}), {0, 2, 1, 3});  // B T h d
    const std::string merged = b_.op("Reshape", {ctx, b_.int64s({0, 0, h * d})});
    return linear(merged, p(LayerTensor::AttentionOutWeight), lw.o_w, lw.o_b, true);
  }

  std::string activation(const std::string& x, Act act) {
    switch (act) {
      case Act::GeluErf: {  // x * 0.5 * (1 + erf(x / sqrt(2)))
        const std::string e =
            b_.op("Erf", {b_.op("Mul", {x, b_.scalar(static_cast<float>(std::sqrt(0.5)))})});
        return b_.op("Mul",
                     {b_.op("Mul", {x, b_.scalar(0.5f)}), b_.op("Add", {e, b_.scalar(1.0f)})});
      }
      case Act::GeluTanh: {  // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        const std::string cube = b_.op("Mul", {b_.op("Mul", {x, x}), x});
        const std::string inner = b_.op("Add", {x, b_.op("Mul", {cube, b_.scalar(0.044715f)})});
        const std::string t = b_.op(
            "Tanh",
            {b_.op("Mul",
                   {inner, b_.scalar(static_cast<float>(std::sqrt(2.0 / std::acos(-1.0))))})});
        return b_.op("Mul",
                     {b_.op("Mul", {x, b_.scalar(0.5f)}), b_.op("Add", {t, b_.scalar(1.0f)})});
      }
      case Act::Relu:
        return b_.op("Relu", {x});
      case Act::Silu:
        return b_.op("Mul", {x, b_.op("Sigmoid", {x})});
      case Act::Tanh:
        return b_.op("Tanh", {x});
    }
    return x;
  }

  // One encoder layer; a layer with no heads adds only the output bias
  // (residual + bias), one with no units likewise, as encoderForward does.
  std::string layer(const std::string& x, const std::string& ext, size_t l) {
    const LayerWeights& lw = w_.layers[l];
    const auto name = [&](LayerTensor t) { return names_.layer(static_cast<int64_t>(l), t); };
    const auto p = [&](LayerTensor t) { return moduleOf(name(t)); };
    const std::string a =
        lw.heads > 0 ? attention(x, ext, lw, p)
                     : b_.op("Add", {x, b_.floats(name(LayerTensor::AttentionOutBias), lw.o_b)});
    const std::string aRes = lw.heads > 0 ? b_.op("Add", {a, x}) : a;
    const std::string x1 = layerNorm(aRes, p(LayerTensor::AttentionNormWeight), lw.ln1_w, lw.ln1_b);
    std::string fRes;
    if (lw.units() > 0) {
      const std::string inter =
          activation(linear(x1, p(LayerTensor::FeedForwardInWeight), lw.i_w, lw.i_b, true), act_);
      fRes = b_.op(
          "Add",
          {linear(inter, p(LayerTensor::FeedForwardOutWeight), lw.out_w, lw.out_b, true), x1});
    } else {
      fRes = b_.op("Add", {x1, b_.floats(name(LayerTensor::FeedForwardOutBias), lw.out_b)});
    }
    return layerNorm(fRes, p(LayerTensor::OutputNormWeight), lw.ln2_w, lw.ln2_b);
  }

  // The head on the first token: the family's dense layer and activation
  // (BERT's pooler + tanh), then the classifier.
  std::string head(const std::string& x) {
    if (w_.tokenHead) {  // a tagger: the classifier on every token, [B, T, labels]
      const std::string logits = linear(x, moduleOf(names_.of(Part::ClassifierWeight)),
                                        w_.head.cls_w, w_.head.cls_b, false);
      b_.node("Identity", {logits}, {"logits"});
      return "logits";
    }
    const std::string first = b_.fresh("cls_token");
    GraphBuilder::attr(b_.node("Gather", {x, b_.int64s({0}, true)}, {first}), "axis",
                       static_cast<int64_t>(1));
    std::string pooled = first;
    if (w_.head.dense_w.defined())
      pooled = activation(linear(first, moduleOf(names_.of(Part::HeadDenseWeight)), w_.head.dense_w,
                                 w_.head.dense_b, false),
                          w_.headAct);
    const std::string logits = linear(pooled, moduleOf(names_.of(Part::ClassifierWeight)),
                                      w_.head.cls_w, w_.head.cls_b, false);
    b_.node("Identity", {logits}, {"logits"});
    return "logits";
  }

  GraphBuilder& b_;
  const EncoderWeights& w_;
  Act act_;
  const OnnxWriteOptions& o_;
  const TensorNames names_;
  const FamilyLayout layout_;
  const bool typeInput_;
};

}  // namespace

bool onnxTakesTokenTypes(const ModelConfig& c) {
  return modelLayout(c).typeEmbeddings && c.type_vocab_size > 1;
}

OnnxWriteResult writeOnnxModel(const EncoderWeights& w, const ModelConfig& c, Act act,
                               const std::string& path, const OnnxWriteOptions& opts) {
  const ModelFamily& family = familyOf(c);
  onnx::ModelProto model;
  model.set_ir_version(onnx::IR_VERSION);
  model.set_producer_name("ParetoPrune");
  model.set_producer_version(opts.producerVersion);
  const std::string doc = "pruned " + family.displayName() + " classifier";
  model.set_doc_string(opts.int8 ? doc + ", int8 dynamic quantisation" : doc);
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOpset);
  onnx::GraphProto* g = model.mutable_graph();
  const bool tagger = c.tokenClassification();
  g->set_name(family.modelType() +
              (tagger ? "_for_token_classification" : "_for_sequence_classification"));
  std::vector<const char*> inputs = {"input_ids", "attention_mask"};
  if (onnxTakesTokenTypes(c)) inputs.push_back("token_type_ids");
  for (const char* in : inputs)
    addValueInfo(g->add_input(), in, onnx::TensorProto::INT64, {"batch_size", "sequence_length"});
  addValueInfo(g->add_output(), "logits", onnx::TensorProto::FLOAT,
               tagger ? std::vector<std::string>{"batch_size", "sequence_length", "num_labels"}
                      : std::vector<std::string>{"batch_size", "num_labels"});
  g->mutable_output(0)
      ->mutable_type()
      ->mutable_tensor_type()
      ->mutable_shape()
      ->mutable_dim(tagger ? 2 : 1)
      ->set_dim_value(w.head.cls_w.size(0));

  GraphBuilder b(g);
  EncoderGraph(b, w, c, act, opts).build();

  const size_t bytes = model.ByteSizeLong();
  if (bytes > static_cast<size_t>(std::numeric_limits<int32_t>::max()))
    throw Error("the model is " + std::to_string(bytes >> 20) +
                " MiB, over the 2 GiB limit of a single ONNX (protobuf) file; ONNX export with "
                "external weight files is not supported");
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    throw Error(std::string("ONNX checker rejected the exported model: ") + e.what());
  }
  try {
    onnx::ShapeInferenceOptions so;
    so.check_type = true;
    so.error_mode = 1;
    onnx::ModelProto inferred = model;
    onnx::shape_inference::InferShapes(inferred, onnx::OpSchemaRegistry::Instance(), so);
    // The inferred logits must be [batch, labels] ([batch, sequence, labels] for a tagger).
    const auto& out = inferred.graph().output(0).type().tensor_type();
    if (out.elem_type() != onnx::TensorProto::FLOAT || out.shape().dim_size() != (tagger ? 3 : 2))
      throw Error(tagger ? "logits are not a 3-D float tensor"
                         : "logits are not a 2-D float tensor");
  } catch (const Error& e) {
    throw Error(std::string("ONNX shape inference of the exported model: ") + e.what());
  } catch (const std::exception& e) {
    throw Error(std::string("ONNX shape inference rejected the exported model: ") + e.what());
  }
  std::string data;
  if (!model.SerializeToString(&data)) throw Error(path + ": could not serialise the ONNX model");
  fileutil::writeFileAtomic(path, data);
  OnnxWriteResult r;
  r.opset = kOpset;
  r.nodes = b.nodeCount();
  r.bytes = static_cast<int64_t>(data.size());
  return r;
}

}  // namespace pp
