// Hidden-state distillation in recovery (recover --hidden-weight): the
// layer map docs/recovery.md states, the loss zero for the full model
// against itself and positive for a sliced pick, gradients reaching the
// pick's layers, and the layer outputs not changing the forward pass.
#include <QtTest>

#include <numeric>

#include "cpu/forward.h"
#include "model/batching.h"
#include "model/slicing.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/model/model.h"
#include "paretoprune/model/random_model.h"
#include "train/train_parts.h"

class TestRecoverHidden : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  std::shared_ptr<const pp::Model> model_;
  pp::Batch batch_;

  // The full model's layer outputs and logits on the batch.
  torch::Tensor run(const pp::EncoderWeights& w, std::vector<torch::Tensor>* layers) {
    const pp::ModelImpl& m = model_->impl();
    pp::ForwardOptions fo;
    fo.layerOutputs = layers;
    return pp::encoderForward(w, m.act, m.config.layer_norm_eps, batch_, nullptr, fo);
  }
  pp::EncoderWeights sliced(const char* subnet) {
    const pp::ModelImpl& m = model_->impl();
    const auto s = pp::SubNetwork::parse(subnet, m.config);
    return pp::sliceWeights(m.weights, s, m.headOrder, m.unitOrder);
  }

 private Q_SLOTS:
  void initTestCase() {
    pp::setComputeThreads(1, 1);
    const std::string dir = tmp_.path().toStdString() + "/m";
    auto t = pp::TinyModelOptions::shaped(6, 32, 4, 48);
    t.maxPositions = 32;
    t.seed = 5;
    pp::writeRandomModel(dir, t);
    model_ = pp::Model::load(dir);
    pp::Dataset d;
    d.source = "synthetic";
    for (const char* text : {"good", "the food was bad", "a great movie and it was fine"}) {
      pp::Example e;
      e.text = text;
      e.label = 0;
      d.examples.push_back(e);
    }
    const auto ex = pp::tokenizeExamples(*model_, d, 16);
    std::vector<size_t> order(ex.size());
    std::iota(order.begin(), order.end(), size_t(0));
    batch_ = pp::makeBatch(ex, order, 0, ex.size(), model_->config().pad_token_id, nullptr);
  }

  // As docs/recovery.md states it: layer j of m to ceil(j * N / m) of N.
  void layerMapIsTheDocumentedOne() {
    QCOMPARE(pp::hiddenLayerMap(1, 6), (std::vector<int64_t>{6}));
    QCOMPARE(pp::hiddenLayerMap(2, 6), (std::vector<int64_t>{3, 6}));
    QCOMPARE(pp::hiddenLayerMap(3, 6), (std::vector<int64_t>{2, 4, 6}));
    QCOMPARE(pp::hiddenLayerMap(4, 6), (std::vector<int64_t>{2, 3, 5, 6}));
    QCOMPARE(pp::hiddenLayerMap(5, 6), (std::vector<int64_t>{2, 3, 4, 5, 6}));
    QCOMPARE(pp::hiddenLayerMap(6, 6), (std::vector<int64_t>{1, 2, 3, 4, 5, 6}));
    QCOMPARE(pp::hiddenLayerMap(4, 12), (std::vector<int64_t>{3, 6, 9, 12}));  // TinyBERT's
    QVERIFY(pp::hiddenLayerMap(0, 6).empty());
  }

  void layerOutputsLeaveTheLogits() {
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> layers;
    const auto with = run(model_->impl().weights, &layers);
    const auto without = run(model_->impl().weights, nullptr);
    QCOMPARE(layers.size(), size_t(6));
    QCOMPARE(layers[5].sizes(), (c10::IntArrayRef{batch_.ids.size(0), batch_.ids.size(1), 32}));
    QVERIFY(torch::equal(with, without));
  }

  void zeroAgainstItselfPositiveForAPick() {
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> teacher, same, pick;
    run(model_->impl().weights, &teacher);
    run(sliced(R"({"num_layers":6,"num_heads":4,"num_units":48})"), &same);
    QCOMPARE(pp::hiddenStateLoss(same, teacher, batch_.mask).item<double>(), 0.0);
    run(sliced(R"({"layers":[{"heads":2,"units":20},{"heads":0,"units":0},{"heads":0,"units":0},
                            {"heads":4,"units":48},{"heads":0,"units":0},{"heads":0,"units":0}]})"),
        &pick);
    QCOMPARE(pick.size(), size_t(2));
    const double loss = pp::hiddenStateLoss(pick, teacher, batch_.mask).item<double>();
    QVERIFY2(loss > 1e-4, std::to_string(loss).c_str());
    // It is the mean over the pick's two layers, matched to the teacher's 3rd and 6th.
    const auto m = batch_.mask.unsqueeze(-1);
    auto mse = [&](const torch::Tensor& a, const torch::Tensor& b) {
      return ((a - b).pow(2) * m).sum().item<double>() / (m.sum().item<double>() * 32);
    };
    QVERIFY(std::abs(loss - (mse(pick[0], teacher[2]) + mse(pick[1], teacher[5])) / 2) <
            1e-6 * std::max(1.0, loss));
    // Padding does not count: changing a padded position's output changes nothing.
    QVERIFY(batch_.mask.eq(0).any().item<bool>());
    auto moved = pick;
    moved[1] = pick[1] + (1 - m) * 100;
    QCOMPARE(pp::hiddenStateLoss(moved, teacher, batch_.mask).item<double>(), loss);
  }

  void gradientsReachThePick() {
    std::vector<torch::Tensor> teacher, pick;
    {
      torch::NoGradGuard noGrad;
      run(model_->impl().weights, &teacher);
    }
    pp::EncoderWeights w = sliced(R"({"num_layers":2,"num_heads":2,"num_units":24})");
    for (torch::Tensor* t : w.all()) *t = t->detach().clone().set_requires_grad(true);
    run(w, &pick);
    pp::hiddenStateLoss(pick, teacher, batch_.mask).backward();
    QVERIFY(w.layers[0].q_w.grad().defined());
    QVERIFY(w.layers[0].q_w.grad().abs().sum().item<double>() > 0);
    QVERIFY(w.layers[1].ln2_w.grad().abs().sum().item<double>() > 0);
  }
};

QTEST_GUILESS_MAIN(TestRecoverHidden)
#include "test_recover_hidden.moc"
