// The ONNX reader that checks ONNX exports (issue 32), on damaged graphs:
// too few node inputs, LayerNormalization's axis out of range, initializer
// dimensions negative or overflowing, an operator's own LibTorch error.
// Each is one clear line of pp::Error; before the fix they read past the
// node's inputs, the tensor's sizes or allocated from a wrapped product.
#include <QTemporaryDir>
#include <QtTest>

#include <onnx/onnx_pb.h>

#include "export/onnx_runner.h"
#include "paretoprune/base/error.h"
#include "testutil.h"

namespace {
bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

onnx::NodeProto* addNode(onnx::GraphProto* g, const std::string& op, const std::string& name,
                         std::initializer_list<const char*> in, const char* out) {
  auto* n = g->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (const char* i : in) n->add_input(i);
  n->add_output(out);
  return n;
}

void addInitializer(onnx::GraphProto* g, const std::string& name, std::vector<int64_t> dims,
                    std::vector<float> values) {
  auto* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t->add_dims(d);
  for (float v : values) t->add_float_data(v);
}

pp::Batch batch() {
  return {torch::tensor({2, 5, 7}, torch::kLong).view({1, 3}), torch::zeros({1, 3}, torch::kLong),
          torch::ones({1, 3})};
}
}  // namespace

class TestOnnxReader : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  int files_ = 0;

  // The graph written to a file of its own; its path.
  std::string write(onnx::ModelProto& m, const char* output) {
    m.set_ir_version(8);
    m.add_opset_import()->set_version(17);
    m.mutable_graph()->add_output()->set_name(output);
    const std::string path = tmp_.path().toStdString() + "/m" + std::to_string(files_++) + ".onnx";
    std::string bytes;
    m.SerializeToString(&bytes);
    testutil::writeText(path, bytes);
    return path;
  }

  // The error of reading and running `path` on a short batch: one line.
  static std::string errorOf(const std::string& path) {
    const std::string e = testutil::errorOf([&] { pp::OnnxRunner(path).run(batch()); });
    if (contains(e, "\n")) return "more than one line: " + e;
    return e;
  }

 private Q_SLOTS:
  void tooFewInputs() {
    for (const char* op : {"Add", "MatMul", "Gather", "LayerNormalization", "MatMulInteger"}) {
      onnx::ModelProto m;
      addNode(m.mutable_graph(), op, "n1", {"input_ids"}, "y");
      const std::string e = errorOf(write(m, "y"));
      QVERIFY2(contains(e, "node n1 (") && contains(e, "has 1 inputs"), e.c_str());
    }
    onnx::ModelProto none;
    addNode(none.mutable_graph(), "Transpose", "t", {"input_ids"}, "y");
    QVERIFY(contains(errorOf(write(none, "y")), "no perm attribute"));
  }

  void layerNormAxisOutOfRange() {
    for (int64_t axis : std::vector<int64_t>{2, 7, -3, INT64_MIN}) {
      onnx::ModelProto m;
      auto* g = m.mutable_graph();
      addInitializer(g, "scale", {3}, {1, 1, 1});
      addInitializer(g, "bias", {3}, {0, 0, 0});
      addNode(g, "Cast", "c", {"input_ids"}, "x")->add_attribute()->set_name("to");
      g->mutable_node(0)->mutable_attribute(0)->set_type(onnx::AttributeProto::INT);
      g->mutable_node(0)->mutable_attribute(0)->set_i(onnx::TensorProto::FLOAT);
      auto* ln = addNode(g, "LayerNormalization", "ln", {"x", "scale", "bias"}, "y");
      auto* a = ln->add_attribute();
      a->set_name("axis");
      a->set_type(onnx::AttributeProto::INT);
      a->set_i(axis);
      const std::string e = errorOf(write(m, "y"));
      QVERIFY2(contains(e, "ONNX node ln (LayerNormalization): axis") &&
                   contains(e, "out of range for rank 2"),
               e.c_str());
    }
  }

  void initializerDimsChecked() {
    const std::vector<std::vector<int64_t>> bad = {
        {-1, 4}, {4, -4}, {int64_t(1) << 32, int64_t(1) << 32}, {INT64_MAX, 2}, {int64_t(1) << 41}};
    for (const auto& dims : bad) {
      onnx::ModelProto m;
      addInitializer(m.mutable_graph(), "w", dims, {});
      const std::string e = errorOf(write(m, "w"));
      QVERIFY2(contains(e, "initializer \"w\" has"), e.c_str());
    }
  }

  // A LibTorch error inside an operator (shapes that do not multiply) is
  // one line naming the node, not LibTorch's message with its backtrace.
  void operatorErrorsNameTheNode() {
    onnx::ModelProto m;
    auto* g = m.mutable_graph();
    addInitializer(g, "a", {2, 3}, {1, 2, 3, 4, 5, 6});
    addInitializer(g, "b", {2, 3}, {1, 2, 3, 4, 5, 6});
    addNode(g, "MatMul", "mm", {"a", "b"}, "y");
    const std::string e = errorOf(write(m, "y"));
    QVERIFY2(contains(e, "ONNX node mm (MatMul): "), e.c_str());
  }
};

QTEST_GUILESS_MAIN(TestOnnxReader)
#include "test_onnx_reader.moc"
