#include "export/onnx_runner.h"

#include <cstring>
#include <map>
#include <set>
#include <vector>

#include <onnx/onnx_pb.h>

#include "base/file_util.h"
#include "paretoprune/base/error.h"

namespace pp {

namespace {

struct Node {
  std::string op, name;
  std::vector<std::string> in, out;
  std::map<std::string, int64_t> ints;
  std::map<std::string, float> floats;
  std::map<std::string, std::vector<int64_t>> lists;
};

const std::set<std::string>& knownOps() {
  static const std::set<std::string> ops = {
      "Add",      "Cast",          "CumSum",   "DynamicQuantizeLinear",
      "Erf",      "Gather",        "Identity", "LayerNormalization",
      "MatMul",   "MatMulInteger", "Mul",      "Range",
      "Relu",     "Reshape",       "Shape",    "Sigmoid",
      "Softmax",  "Sub",           "Tanh",     "Transpose",
      "Unsqueeze"};
  return ops;
}

torch::Tensor fromProto(const onnx::TensorProto& t) {
  std::vector<int64_t> dims(t.dims().begin(), t.dims().end());
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  auto make = [&](torch::ScalarType type, size_t elem, const void* data, size_t count) {
    if (static_cast<int64_t>(count) != n)
      throw Error("initializer \"" + t.name() + "\" holds " + std::to_string(count) +
                  " values for " + std::to_string(n) + " elements");
    auto out = torch::empty(dims, type);
    if (n > 0) std::memcpy(out.data_ptr(), data, static_cast<size_t>(n) * elem);
    return out;
  };
  const std::string& raw = t.raw_data();
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      if (!raw.empty()) return make(torch::kFloat32, 4, raw.data(), raw.size() / 4);
      return make(torch::kFloat32, 4, t.float_data().data(),
                  static_cast<size_t>(t.float_data_size()));
    case onnx::TensorProto::INT64:
      if (!raw.empty()) return make(torch::kLong, 8, raw.data(), raw.size() / 8);
      return make(torch::kLong, 8, t.int64_data().data(), static_cast<size_t>(t.int64_data_size()));
    case onnx::TensorProto::INT8:
      if (!raw.empty()) return make(torch::kChar, 1, raw.data(), raw.size());
      break;
    default:
      break;
  }
  throw Error("initializer \"" + t.name() + "\" has an element type the check does not read (" +
              std::to_string(t.data_type()) + ")");
}

torch::ScalarType castType(int64_t to) {
  switch (to) {
    case onnx::TensorProto::FLOAT:
      return torch::kFloat32;
    case onnx::TensorProto::INT64:
      return torch::kLong;
    case onnx::TensorProto::INT32:
      return torch::kInt;
    default:
      throw Error("Cast to element type " + std::to_string(to) + " is not supported by the check");
  }
}

int64_t axisOf(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

// Gather as ONNX defines it: indices of any rank replace dimension `axis`.
torch::Tensor gather(const torch::Tensor& data, const torch::Tensor& idx, int64_t axis) {
  axis = axisOf(axis, data.dim());
  const int64_t size = data.size(axis);
  auto flat = idx.reshape({-1}).to(torch::kLong);
  flat = torch::where(flat < 0, flat + size, flat);
  if (flat.numel() > 0 && (flat.min().item<int64_t>() < 0 || flat.max().item<int64_t>() >= size))
    throw Error("Gather index out of range (size " + std::to_string(size) + ")");
  auto r = data.index_select(axis, flat);
  std::vector<int64_t> shape(data.sizes().begin(), data.sizes().begin() + axis);
  for (int64_t d : idx.sizes()) shape.push_back(d);
  for (int64_t i = axis + 1; i < data.dim(); ++i) shape.push_back(data.size(i));
  return r.reshape(shape);
}

torch::Tensor reshape(const torch::Tensor& x, const torch::Tensor& shape) {
  std::vector<int64_t> s(static_cast<size_t>(shape.numel()));
  auto c = shape.to(torch::kLong).contiguous();
  for (size_t i = 0; i < s.size(); ++i) {
    s[i] = c.data_ptr<int64_t>()[i];
    if (s[i] == 0) s[i] = x.size(static_cast<int64_t>(i));
  }
  return x.reshape(s);
}

// DynamicQuantizeLinear: uint8 values (as float), scale and zero point.
std::vector<torch::Tensor> dynamicQuantize(const torch::Tensor& x) {
  const double lo = std::min(0.0, x.min().item<double>());
  const double hi = std::max(0.0, x.max().item<double>());
  double scale = (hi - lo) / 255.0;
  if (scale == 0) scale = 1;
  const double zp = std::clamp(std::nearbyint(-lo / scale), 0.0, 255.0);
  auto q = torch::clamp(torch::round(x.to(torch::kDouble) / scale) + zp, 0, 255);
  return {q, torch::scalar_tensor(scale, torch::kFloat32),
          torch::scalar_tensor(zp, torch::kDouble)};
}
}  // namespace

struct OnnxRunner::Graph {
  std::map<std::string, torch::Tensor> initializers;
  std::vector<Node> nodes;
  std::string output;
};

OnnxRunner::OnnxRunner(const std::string& path) : g_(std::make_unique<Graph>()) {
  onnx::ModelProto m;
  const std::string bytes = fileutil::readFile(path);
  if (!m.ParseFromString(bytes)) throw Error(path + ": not a readable ONNX model");
  const auto& g = m.graph();
  for (const auto& t : g.initializer()) g_->initializers[t.name()] = fromProto(t);
  for (const auto& n : g.node()) {
    if (!knownOps().count(n.op_type()))
      throw Error(path + ": operator " + n.op_type() + " (node " + n.name() +
                  ") is not one the export writes");
    Node node{n.op_type(),
              n.name(),
              {n.input().begin(), n.input().end()},
              {n.output().begin(), n.output().end()},
              {},
              {},
              {}};
    for (const auto& a : n.attribute()) {
      if (a.type() == onnx::AttributeProto::INT) node.ints[a.name()] = a.i();
      if (a.type() == onnx::AttributeProto::FLOAT) node.floats[a.name()] = a.f();
      if (a.type() == onnx::AttributeProto::INTS)
        node.lists[a.name()] = {a.ints().begin(), a.ints().end()};
    }
    g_->nodes.push_back(std::move(node));
  }
  if (g.output_size() != 1) throw Error(path + ": expected one output (logits)");
  g_->output = g.output(0).name();
}

OnnxRunner::~OnnxRunner() = default;

namespace {
// The element-wise ops of one input.
torch::Tensor unary(const std::string& op, const torch::Tensor& x) {
  if (op == "Erf") return torch::erf(x);
  if (op == "Tanh") return torch::tanh(x);
  if (op == "Relu") return torch::relu(x);
  if (op == "Sigmoid") return torch::sigmoid(x);
  return x;  // Identity
}
}  // namespace

torch::Tensor OnnxRunner::run(const Batch& b) const {
  torch::NoGradGuard ng;
  std::map<std::string, torch::Tensor> v = g_->initializers;
  v["input_ids"] = b.ids.to(torch::kLong);
  v["attention_mask"] = b.mask.to(torch::kLong);
  v["token_type_ids"] = b.typeIds.to(torch::kLong);
  for (const Node& n : g_->nodes) {
    std::vector<torch::Tensor> in;
    for (const auto& name : n.in) {
      auto it = v.find(name);
      if (it == v.end()) throw Error("ONNX node " + n.name + ": input \"" + name + "\" undefined");
      in.push_back(it->second);
    }
    auto attr = [&](const char* name, int64_t dflt) {
      auto it = n.ints.find(name);
      return it == n.ints.end() ? dflt : it->second;
    };
    std::vector<torch::Tensor> out;
    const std::string& op = n.op;
    if (op == "Add") {
      out = {in[0] + in[1]};
    } else if (op == "Sub") {
      out = {in[0] - in[1]};
    } else if (op == "Mul") {
      out = {in[0] * in[1]};
    } else if (op == "MatMul") {
      out = {torch::matmul(in[0], in[1])};
    } else if (op == "Gather") {
      out = {gather(in[0], in[1], attr("axis", 0))};
    } else if (op == "Shape") {
      out = {torch::tensor(in[0].sizes().vec(), torch::kLong)};
    } else if (op == "Range") {
      out = {torch::arange(in[0].item<int64_t>(), in[1].item<int64_t>(), in[2].item<int64_t>(),
                           torch::kLong)};
    } else if (op == "CumSum") {
      out = {torch::cumsum(in[0], axisOf(in[1].item<int64_t>(), in[0].dim()))};
    } else if (op == "Cast") {
      out = {in[0].to(castType(attr("to", 0)))};
    } else if (op == "Unsqueeze") {
      auto axes = in[1].to(torch::kLong).contiguous();
      std::vector<int64_t> a(axes.data_ptr<int64_t>(), axes.data_ptr<int64_t>() + axes.numel());
      const int64_t rank = in[0].dim() + static_cast<int64_t>(a.size());
      for (auto& x : a) x = axisOf(x, rank);
      std::sort(a.begin(), a.end());
      torch::Tensor t = in[0];
      for (int64_t x : a) t = t.unsqueeze(x);
      out = {t};
    } else if (op == "LayerNormalization") {
      const int64_t axis = axisOf(attr("axis", -1), in[0].dim());
      std::vector<int64_t> shape(in[0].sizes().begin() + axis, in[0].sizes().end());
      const auto eps = n.floats.count("epsilon") ? n.floats.at("epsilon") : 1e-5f;
      out = {torch::layer_norm(in[0], shape, in[1], in[2], eps)};
    } else if (op == "Reshape") {
      out = {reshape(in[0], in[1])};
    } else if (op == "Transpose") {
      out = {in[0].permute(n.lists.at("perm"))};
    } else if (op == "Softmax") {
      out = {torch::softmax(in[0], attr("axis", -1))};
    } else if (op == "Erf" || op == "Tanh" || op == "Relu" || op == "Sigmoid" || op == "Identity") {
      out = {unary(op, in[0])};
    } else if (op == "DynamicQuantizeLinear") {
      out = dynamicQuantize(in[0]);
    } else if (op == "MatMulInteger") {
      auto a = in[0].to(torch::kDouble) - in[2].to(torch::kDouble);
      auto w = in[1].to(torch::kDouble) - in[3].to(torch::kDouble);
      out = {torch::matmul(a, w)};  // exact: integer products, sums far below 2^53
    }
    for (size_t i = 0; i < n.out.size() && i < out.size(); ++i) v[n.out[i]] = out[i];
  }
  auto it = v.find(g_->output);
  if (it == v.end()) throw Error("ONNX graph: output \"" + g_->output + "\" was never computed");
  return it->second.to(torch::kFloat32);
}

}  // namespace pp
