#include "export/onnx_runner.h"

#include <algorithm>
#include <cstring>
#include <map>
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

// The operators the export writes, with the inputs the runner reads of each
// (a node with fewer is refused before any is indexed).
const std::map<std::string, size_t>& knownOps() {
  static const std::map<std::string, size_t> ops = {
      {"Add", 2},      {"Cast", 1},          {"CumSum", 2},   {"DynamicQuantizeLinear", 1},
      {"Erf", 1},      {"Gather", 2},        {"Identity", 1}, {"LayerNormalization", 3},
      {"MatMul", 2},   {"MatMulInteger", 4}, {"Mul", 2},      {"Range", 3},
      {"Relu", 1},     {"Reshape", 2},       {"Shape", 1},    {"Sigmoid", 1},
      {"Softmax", 1},  {"Sub", 2},           {"Tanh", 1},     {"Transpose", 1},
      {"Unsqueeze", 2}};
  return ops;
}

// A node's name as an error quotes it: at most 80 characters.
std::string nodeName(const std::string& name) {
  return name.size() > 80 ? name.substr(0, 80) + "..." : name;
}

// The element count of `dims`: each dimension >= 0, the product without
// overflow and below a bound no export reaches (2^40 elements).
int64_t elementCount(const std::vector<int64_t>& dims, const std::string& what) {
  constexpr int64_t kMaxElements = int64_t(1) << 40;
  if (dims.size() > 16)
    throw Error(what + " has " + std::to_string(dims.size()) + " dimensions (16 at most)");
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0) throw Error(what + " has a negative dimension (" + std::to_string(d) + ")");
    if (__builtin_mul_overflow(n, d, &n) || n > kMaxElements)
      throw Error(what + " has more elements than any export holds (dimensions overflow)");
  }
  return n;
}

torch::Tensor fromProto(const onnx::TensorProto& t) {
  std::vector<int64_t> dims(t.dims().begin(), t.dims().end());
  const int64_t n = elementCount(dims, "initializer \"" + t.name().substr(0, 80) + "\"");
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

// `axis` (negative: from the end) as an index into `rank` dimensions.
int64_t axisOf(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    throw Error("axis " + std::to_string(axis) + " is out of range for rank " +
                std::to_string(rank));
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
    if (s[i] == 0 && static_cast<int64_t>(i) >= x.dim())
      throw Error("Reshape copies dimension " + std::to_string(i) + " of a rank " +
                  std::to_string(x.dim()) + " tensor");
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
  for (const auto& t : g.initializer()) {
    try {
      g_->initializers[t.name()] = fromProto(t);
    } catch (const Error& e) {
      throw Error(path + ": " + e.what());
    }
  }
  for (const auto& n : g.node()) {
    const auto op = knownOps().find(n.op_type());
    if (op == knownOps().end())
      throw Error(path + ": operator " + nodeName(n.op_type()) + " (node " + nodeName(n.name()) +
                  ") is not one the export writes");
    if (static_cast<size_t>(n.input_size()) < op->second || n.output_size() < 1)
      throw Error(path + ": node " + nodeName(n.name()) + " (" + n.op_type() + ") has " +
                  std::to_string(n.input_size()) + " inputs and " +
                  std::to_string(n.output_size()) + " outputs; " + n.op_type() + " needs " +
                  std::to_string(op->second) + " inputs and an output");
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
    if (node.op == "Transpose" && !node.lists.count("perm"))
      throw Error(path + ": node " + nodeName(n.name()) + " (Transpose) has no perm attribute");
    g_->nodes.push_back(std::move(node));
  }
  if (g.output_size() != 1) throw Error(path + ": expected one output (logits)");
  g_->output = g.output(0).name();
}

OnnxRunner::~OnnxRunner() = default;

namespace {
// A Range the runner computes: scalar bounds, a step that is not 0 and at
// most 2^24 values (positions, in an export).
torch::Tensor range(const torch::Tensor& start, const torch::Tensor& limit,
                    const torch::Tensor& delta) {
  if (start.numel() != 1 || limit.numel() != 1 || delta.numel() != 1)
    throw Error("Range takes scalar start, limit and delta");
  const int64_t a = start.item<int64_t>(), b = limit.item<int64_t>(), d = delta.item<int64_t>();
  if (d == 0) throw Error("Range has a delta of 0");
  const double count = (static_cast<double>(b) - static_cast<double>(a)) / static_cast<double>(d);
  if (count > double(1 << 24)) throw Error("Range of more than 2^24 values");
  return torch::arange(a, b, d, torch::kLong);
}

// One node's outputs from its inputs (their count checked when read).
std::vector<torch::Tensor> evalNode(const Node& n, const std::vector<torch::Tensor>& in) {
  auto attr = [&](const char* name, int64_t dflt) {
    auto it = n.ints.find(name);
    return it == n.ints.end() ? dflt : it->second;
  };
  const std::string& op = n.op;
  if (op == "Add") return {in[0] + in[1]};
  if (op == "Sub") return {in[0] - in[1]};
  if (op == "Mul") return {in[0] * in[1]};
  if (op == "MatMul") return {torch::matmul(in[0], in[1])};
  if (op == "Gather") return {gather(in[0], in[1], attr("axis", 0))};
  if (op == "Shape") return {torch::tensor(in[0].sizes().vec(), torch::kLong)};
  if (op == "Range") return {range(in[0], in[1], in[2])};
  if (op == "CumSum") {  // RoBERTa's positions: the running count of real tokens
    if (in[1].numel() != 1) throw Error("CumSum takes a scalar axis");
    return {torch::cumsum(in[0], axisOf(in[1].item<int64_t>(), in[0].dim()))};
  }
  if (op == "Cast") return {in[0].to(castType(attr("to", 0)))};
  if (op == "Unsqueeze") {
    auto axes = in[1].to(torch::kLong).contiguous();
    std::vector<int64_t> a(axes.data_ptr<int64_t>(), axes.data_ptr<int64_t>() + axes.numel());
    const int64_t rank = in[0].dim() + static_cast<int64_t>(a.size());
    for (auto& x : a) x = axisOf(x, rank);
    std::sort(a.begin(), a.end());
    torch::Tensor t = in[0];
    for (int64_t x : a) t = t.unsqueeze(x);
    return {t};
  }
  if (op == "LayerNormalization") {
    const int64_t axis = axisOf(attr("axis", -1), in[0].dim());
    std::vector<int64_t> shape(in[0].sizes().begin() + axis, in[0].sizes().end());
    const auto eps = n.floats.count("epsilon") ? n.floats.at("epsilon") : 1e-5f;
    return {torch::layer_norm(in[0], shape, in[1], in[2], eps)};
  }
  if (op == "Reshape") return {reshape(in[0], in[1])};
  if (op == "Transpose") return {in[0].permute(n.lists.at("perm"))};
  if (op == "Softmax") return {torch::softmax(in[0], axisOf(attr("axis", -1), in[0].dim()))};
  if (op == "Erf") return {torch::erf(in[0])};
  if (op == "Tanh") return {torch::tanh(in[0])};
  if (op == "Relu") return {torch::relu(in[0])};
  if (op == "Sigmoid") return {torch::sigmoid(in[0])};
  if (op == "Identity") return {in[0]};
  if (op == "DynamicQuantizeLinear") return dynamicQuantize(in[0]);
  if (op == "MatMulInteger") {
    auto a = in[0].to(torch::kDouble) - in[2].to(torch::kDouble);
    auto w = in[1].to(torch::kDouble) - in[3].to(torch::kDouble);
    return {torch::matmul(a, w)};  // exact: integer products, sums far below 2^53
  }
  return {};
}

// The first line of a LibTorch error, without its backtrace.
std::string firstLine(const std::string& s) {
  const std::string line = s.substr(0, s.find('\n'));
  return line.size() > 200 ? line.substr(0, 200) + "..." : line;
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
      if (it == v.end())
        throw Error("ONNX node " + nodeName(n.name) + ": input \"" + nodeName(name) +
                    "\" undefined");
      in.push_back(it->second);
    }
    std::vector<torch::Tensor> out;
    try {
      out = evalNode(n, in);
    } catch (const Error& e) {
      throw Error("ONNX node " + nodeName(n.name) + " (" + n.op + "): " + e.what());
    } catch (const c10::Error& e) {
      throw Error("ONNX node " + nodeName(n.name) + " (" + n.op +
                  "): " + firstLine(e.what_without_backtrace()));
    } catch (const std::exception& e) {  // ATen's shape inference throws std::runtime_error
      throw Error("ONNX node " + nodeName(n.name) + " (" + n.op + "): " + firstLine(e.what()));
    }
    for (size_t i = 0; i < n.out.size() && i < out.size(); ++i) v[n.out[i]] = out[i];
  }
  auto it = v.find(g_->output);
  if (it == v.end())
    throw Error("ONNX graph: output \"" + nodeName(g_->output) + "\" was never computed");
  return it->second.to(torch::kFloat32);
}

}  // namespace pp
