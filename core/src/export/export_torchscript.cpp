#include "export/export_torchscript.h"

#include <cmath>
#include <sstream>

#include <torch/csrc/jit/frontend/resolver.h>
#include <torch/csrc/jit/frontend/sugared_value.h>

#include "model/family.h"

namespace pp {

bool pickQEngine() {
  const auto& engines = at::globalContext().supportedQEngines();
  for (auto want : {at::QEngine::FBGEMM, at::QEngine::ONEDNN, at::QEngine::QNNPACK})
    for (auto e : engines)
      if (e == want) {
        at::globalContext().setQEngine(e);
        return true;
      }
  return false;
}

namespace {

// Resolves `torch` to ATen builtins and `quantized` to the quantised ops.
struct ScriptResolver : torch::jit::Resolver {
  std::shared_ptr<torch::jit::SugaredValue> resolveValue(const std::string& name,
                                                         torch::jit::GraphFunction&,
                                                         const torch::jit::SourceRange&) override {
    if (name == "torch") return std::make_shared<torch::jit::BuiltinModule>("aten");
    if (name == "quantized") return std::make_shared<torch::jit::BuiltinModule>("quantized");
    return nullptr;
  }
  c10::TypePtr resolveType(const std::string&, const torch::jit::SourceRange&) override {
    return nullptr;
  }
};

std::string activationCode(Act a, const std::string& x) {
  switch (a) {
    case Act::GeluErf:
      return "torch.gelu(" + x + ")";
    case Act::GeluTanh:
      return "torch.gelu(" + x + ", approximate='tanh')";
    case Act::Relu:
      return "torch.relu(" + x + ")";
    case Act::Silu:
      return "torch.silu(" + x + ")";
    case Act::Tanh:
      return "torch.tanh(" + x + ")";
  }
  return x;
}

std::string num(double v) {
  std::ostringstream ss;
  ss.precision(17);
  ss << v;
  std::string s = ss.str();
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

// Builds the TorchScript module of scriptModule: each weight becomes a
// parameter (int8: a packed int8 attribute) as the line of the forward
// method that reads it is written, so parameters keep the source's order.
class ScriptBuilder {
 public:
  ScriptBuilder(const ModelConfig& c, Act act, bool int8)
      : resolver_(std::make_shared<ScriptResolver>()),
        m_("ParetoPrune" + familyOf(c).architecture()),
        layout_(modelLayout(c)),
        act_(act),
        int8_(int8),
        H_(std::to_string(c.hidden_size)),
        eps_(num(c.layer_norm_eps)) {
    if (int8_)
      m_.define(
          "def _prepack(self, w: Tensor, b: Tensor, scale: float):\n"
          "    return quantized.linear_prepack(torch.quantize_per_tensor(w, scale, 0, 12), b)\n",
          resolver_);
  }

  torch::jit::Module build(const EncoderWeights& w) {
    embeddings(w.emb);
    for (size_t l = 0; l < w.layers.size(); ++l) {
      const std::string p = "l" + std::to_string(l);
      attention(p, w.layers[l], w.headSize);
      feedForward(p, w.layers[l]);
    }
    head(w.head, w.headAct, w.tokenHead);
    m_.define(src_.str(), resolver_);
    return m_;
  }

 private:
  void param(const std::string& name, const torch::Tensor& t) {
    m_.register_parameter(name, t.detach().to(torch::kFloat32).contiguous().clone(), false);
  }

  // Linear layer `name` (weight, bias): float parameters or a packed int8 attribute.
  std::string linear(const std::string& name, const torch::Tensor& wt, const torch::Tensor& b,
                     const std::string& x) {
    if (!int8_ || wt.numel() == 0) {
      param(name + "_w", wt);
      param(name + "_b", b);
      return "torch.linear(" + x + ", self." + name + "_w, self." + name + "_b)";
    }
    const double scale = std::max(1e-8, wt.abs().max().item<double>() / 127.0);
    auto packed = m_.run_method("_prepack", wt.contiguous(), b.contiguous(), scale);
    m_.register_attribute(name + "_p", packed.type(), packed);
    return "quantized.linear_dynamic(" + x + ", self." + name + "_p)";
  }

  // x = LayerNorm(y + x) with the parameters `p`_w and `p`_b.
  void residualNorm(const std::string& y, const std::string& p, const torch::Tensor& lnW,
                    const torch::Tensor& lnB) {
    param(p + "_w", lnW);
    param(p + "_b", lnB);
    src_ << "    x = torch.layer_norm(" << y << " + x, [" << H_ << "], self." << p << "_w, self."
         << p << "_b, " << eps_ << ")\n";
  }

  // Embeddings as the family has them: positions from 0 (BERT) or after
  // padding_idx from the mask (RoBERTa), token types where it reads them,
  // ELECTRA's projection.
  void embeddings(const EmbeddingWeights& e) {
    const std::string E = std::to_string(e.word.size(1));
    src_ << "def forward(self, input_ids: Tensor, attention_mask: Tensor, token_type_ids: Tensor) "
            "-> Tensor:\n"
         << "    B = input_ids.size(0)\n"
         << "    T = input_ids.size(1)\n";
    if (layout_.positionOffset == 0)
      src_ << "    pos = torch.arange(T, dtype=4, device=input_ids.device)\n"
           << "    x = torch.embedding(self.word_emb, input_ids) + torch.embedding(self.pos_emb, "
              "pos).unsqueeze(0)";
    else
      src_ << "    m = attention_mask.to(4)\n"
           << "    pos = torch.cumsum(m, 1) * m + " << layout_.positionOffset - 1 << "\n"
           << "    x = torch.embedding(self.word_emb, input_ids) + torch.embedding(self.pos_emb, "
              "pos)";
    if (e.type.defined() && e.type.size(0) > 1)
      src_ << " + torch.embedding(self.type_emb, token_type_ids)";
    else if (e.type.defined())
      src_ << " + self.type_emb";
    src_ << "\n"
         << "    x = torch.layer_norm(x, [" << E << "], self.emb_ln_w, self.emb_ln_b, " << eps_
         << ")\n";
    if (e.proj_w.defined()) src_ << "    x = torch.linear(x, self.emb_proj_w, self.emb_proj_b)\n";
    src_ << "    ext = (attention_mask.to(x.dtype) * -1.0 + 1.0).view(B, 1, 1, T) * "
            "-3.4028234663852886e+38\n";
    param("word_emb", e.word);
    param("pos_emb", e.pos);
    if (e.type.defined()) param("type_emb", e.type);
    param("emb_ln_w", e.ln_w);
    param("emb_ln_b", e.ln_b);
    if (e.proj_w.defined()) {
      param("emb_proj_w", e.proj_w);
      param("emb_proj_b", e.proj_b);
    }
  }

  // Self-attention of layer `p` (head size d), then its residual LayerNorm.
  void attention(const std::string& p, const LayerWeights& lw, int64_t d) {
    const std::string h = std::to_string(lw.heads), hd = std::to_string(lw.heads * d);
    const std::string scale = num(1.0 / std::sqrt(static_cast<double>(d)));
    if (lw.heads > 0) {
      src_ << "    q = " << linear(p + "_q", lw.q_w, lw.q_b, "x") << ".view(B, T, " << h << ", "
           << d << ").transpose(1, 2)\n"
           << "    k = " << linear(p + "_k", lw.k_w, lw.k_b, "x") << ".view(B, T, " << h << ", "
           << d << ").transpose(1, 2)\n"
           << "    v = " << linear(p + "_v", lw.v_w, lw.v_b, "x") << ".view(B, T, " << h << ", "
           << d << ").transpose(1, 2)\n"
           << "    probs = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) * " << scale
           << " + ext, -1)\n"
           << "    ctx = torch.matmul(probs, v).transpose(1, 2).reshape(B, T, " << hd << ")\n"
           << "    a = " << linear(p + "_o", lw.o_w, lw.o_b, "ctx") << "\n";
    } else {
      param(p + "_o_b", lw.o_b);
      src_ << "    a = self." << p << "_o_b.expand(B, T, " << H_ << ")\n";
    }
    residualNorm("a", p + "_ln1", lw.ln1_w, lw.ln1_b);
  }

  // The feed-forward block of layer `p`, then its residual LayerNorm.
  void feedForward(const std::string& p, const LayerWeights& lw) {
    if (lw.units() > 0) {
      src_ << "    f = " << activationCode(act_, linear(p + "_i", lw.i_w, lw.i_b, "x")) << "\n"
           << "    f = " << linear(p + "_out", lw.out_w, lw.out_b, "f") << "\n";
    } else {
      param(p + "_out_b", lw.out_b);
      src_ << "    f = self." << p << "_out_b.expand(B, T, " << H_ << ")\n";
    }
    residualNorm("f", p + "_ln2", lw.ln2_w, lw.ln2_b);
  }

  // The family's dense layer and activation on the first token (BERT's
  // pooler), then the classifier; a tagger's classifier on every token.
  void head(const HeadWeights& hw, Act headAct, bool perToken) {
    if (perToken) {  // a tagger: the classifier on every token, [B, T, labels]
      param("cls_w", hw.cls_w);
      param("cls_b", hw.cls_b);
      src_ << "    return torch.linear(x, self.cls_w, self.cls_b)\n";
      return;
    }
    std::string pooled = "x.select(1, 0)";
    if (hw.dense_w.defined()) {
      param("pool_w", hw.dense_w);
      param("pool_b", hw.dense_b);
      pooled = activationCode(headAct, "torch.linear(x.select(1, 0), self.pool_w, self.pool_b)");
    }
    param("cls_w", hw.cls_w);
    param("cls_b", hw.cls_b);
    src_ << "    pooled = " << pooled << "\n"
         << "    return torch.linear(pooled, self.cls_w, self.cls_b)\n";
  }

  std::shared_ptr<ScriptResolver> resolver_;
  torch::jit::Module m_;
  FamilyLayout layout_;
  Act act_;
  bool int8_;
  std::string H_, eps_;
  std::ostringstream src_;
};

}  // namespace

torch::jit::Module scriptModule(const EncoderWeights& w, const ModelConfig& c, Act act, bool int8) {
  return ScriptBuilder(c, act, int8).build(w);
}

}  // namespace pp
