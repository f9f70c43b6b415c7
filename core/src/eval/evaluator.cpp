#include "paretoprune/eval/evaluator.h"

#include <algorithm>
#include <chrono>
#include <numeric>

#include "cpu/forward.h"
#include "cpu/gemm_choice.h"
#include "eval/evaluator_impl.h"
#include "model/batching.h"
#include "paretoprune/base/error.h"
#include "paretoprune/base/rng.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/model/model.h"

namespace pp {

const char* execModeName(ExecMode m) {
  switch (m) {
    case ExecMode::Auto:
      return "auto";
    case ExecMode::Masked:
      return "masked";
    case ExecMode::Sliced:
      return "sliced";
  }
  return "?";
}

ExecMode parseExecMode(const std::string& s) {
  if (s == "auto") return ExecMode::Auto;
  if (s == "masked") return ExecMode::Masked;
  if (s == "sliced") return ExecMode::Sliced;
  throw Error("unknown execution mode \"" + s + "\" (auto, masked or sliced)");
}

const char* precisionName(Precision p) {
  switch (p) {
    case Precision::Float32:
      return "fp32";
    case Precision::BFloat16:
      return "bf16";
    case Precision::Float16:
      return "fp16";
    case Precision::Int8:
      return "int8";
  }
  return "?";
}

Precision parsePrecision(const std::string& s) {
  if (s == "fp32" || s == "float32") return Precision::Float32;
  if (s == "bf16" || s == "bfloat16") return Precision::BFloat16;
  if (s == "fp16" || s == "float16" || s == "half") return Precision::Float16;
  if (s == "int8") return Precision::Int8;
  throw Error("unknown precision \"" + s + "\" (fp32, bf16, fp16 or int8)");
}

namespace {
// The same weights in another floating-point type (pointer-equal for float32).
EncoderWeights castWeights(const EncoderWeights& w, Precision p) {
  if (p == Precision::Float32) return w;
  // bf16 on the CPU: the products' inputs are rounded in the GEMM seam
  // (gemmPlanFor), the rest stays float32.
  if (p == Precision::BFloat16 && w.emb.word.device().is_cpu()) return w;
  // int8: the products quantize in the seam (gemm_int8.cpp), the rest float32.
  if (p == Precision::Int8) {
    if (!w.emb.word.device().is_cpu())
      throw Error("int8 evaluation runs on the CPU only (the onnx-int8 export's numerics)");
    return w;
  }
  if (p == Precision::Float16 && !w.emb.word.is_cuda())
    throw Error("fp16 evaluation needs a GPU (on CPU, use bf16)");
  const auto type = p == Precision::BFloat16 ? torch::kBFloat16 : torch::kFloat16;
  EncoderWeights o = w;
  for (torch::Tensor* t : o.all()) *t = t->to(type);
  return o;
}
}  // namespace

std::vector<std::string> availableDevices() {
  std::vector<std::string> d = {"cpu"};
  const int64_t n = static_cast<int64_t>(torch::cuda::device_count());
  for (int64_t i = 0; i < n; ++i) d.push_back("cuda:" + std::to_string(i));
  return d;
}

std::vector<std::string> resolveDevices(const std::string& spec) {
  const auto all = availableDevices();
  std::vector<std::string> cuda(all.begin() + 1, all.end());
  std::string have;
  for (const auto& d : all) have += (have.empty() ? "" : ", ") + d;
  if (spec.empty() || spec == "auto") return cuda.empty() ? std::vector<std::string>{"cpu"} : cuda;
  if (spec == "cpu") return {"cpu"};
  if (spec == "cuda" || spec == "gpu") {
    if (cuda.empty())
      throw Error("no CUDA device is available to this LibTorch (devices: " + have + ")");
    return cuda;
  }
  for (const auto& d : all)
    if (d == spec) return {d};
  throw Error("unknown or unavailable device \"" + spec + "\" (available: " + have +
              "; or auto, cuda)");
}

const std::vector<Batch>& EncodedDataImpl::batchesOn(const std::string& device) const {
  if (device.empty() || device == "cpu") return batches;
  std::lock_guard<std::mutex> lk(deviceMutex);
  auto it = deviceBatches.find(device);
  if (it == deviceBatches.end()) {
    // Copied once per device and run: pinned host memory, asynchronous copies.
    const torch::Device dev(device);
    std::vector<Batch> out;
    for (const auto& b : batches)
      out.push_back({b.ids.pin_memory().to(dev, true), b.typeIds.pin_memory().to(dev, true),
                     b.mask.pin_memory().to(dev, true)});
    it = deviceBatches.emplace(device, std::move(out)).first;
  }
  return it->second;
}

EncodedData::EncodedData(const Model& model, const Dataset& data, const EncodeOptions& opts)
    : impl_(std::make_unique<EncodedDataImpl>()) {
  const auto& tok = model.tokenizer();
  const int64_t maxLen = std::min<int64_t>(opts.maxLength > 0 ? opts.maxLength : 512,
                                           maxSequenceLength(model.config()));
  if (opts.batchSize <= 0) throw Error("batch size must be positive");
  const size_t n = data.examples.size();
  std::vector<Encoding> enc(n);
  if (model.config().tokenClassification()) {
    enc = encodeTagged(model, data, maxLen, *impl_);
  } else {
    if (data.tagged)
      throw Error(data.source + ": tagged sentences, but the model is a sequence classifier");
    for (size_t i = 0; i < n; ++i) {
      const auto& e = data.examples[i];
      enc[i] = tok.encode(e.text, data.hasPair && !e.single ? &e.pair : nullptr, maxLen);
      checkEncoding(enc[i], model.config());
      impl_->labels.push_back(e.label);
    }
  }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  if (opts.bucketByLength)
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return enc[a].ids.size() < enc[b].ids.size(); });
  const int64_t pad = model.config().pad_token_id;
  for (size_t start = 0; start < n; start += static_cast<size_t>(opts.batchSize)) {
    const size_t end = std::min(n, start + static_cast<size_t>(opts.batchSize));
    size_t T = 0;
    for (size_t i = start; i < end; ++i) T = std::max(T, enc[order[i]].ids.size());
    const int64_t B = static_cast<int64_t>(end - start);
    auto ids = torch::full({B, static_cast<int64_t>(T)}, pad, torch::kLong);
    auto types = torch::zeros({B, static_cast<int64_t>(T)}, torch::kLong);
    auto mask = torch::zeros({B, static_cast<int64_t>(T)}, torch::kFloat32);
    auto ia = ids.accessor<int64_t, 2>();
    auto ta = types.accessor<int64_t, 2>();
    auto ma = mask.accessor<float, 2>();
    std::vector<size_t> rows;
    for (size_t i = start; i < end; ++i) {
      const auto& e = enc[order[i]];
      const int64_t r = static_cast<int64_t>(i - start);
      for (size_t t = 0; t < e.ids.size(); ++t) {
        ia[r][static_cast<int64_t>(t)] = e.ids[t];
        ta[r][static_cast<int64_t>(t)] = e.type_ids[t];
        ma[r][static_cast<int64_t>(t)] = 1.0f;
      }
      impl_->realTokens += static_cast<int64_t>(e.ids.size());
      rows.push_back(order[i]);
    }
    impl_->paddedTokens += B * static_cast<int64_t>(T);
    impl_->batches.push_back({ids, types, mask});
    impl_->batchIndex.push_back(std::move(rows));
  }
  impl_->count = n;
}

EncodedData::~EncodedData() = default;
EncodedData::EncodedData(EncodedData&&) noexcept = default;
EncodedData& EncodedData::operator=(EncodedData&&) noexcept = default;
size_t EncodedData::size() const {
  return impl_->count;
}
size_t EncodedData::numBatches() const {
  return impl_->batches.size();
}
const std::vector<int64_t>& EncodedData::labels() const {
  return impl_->labels;
}
double EncodedData::paddingFraction() const {
  return impl_->paddedTokens ? 1.0 - static_cast<double>(impl_->realTokens) /
                                         static_cast<double>(impl_->paddedTokens)
                             : 0.0;
}
bool EncodedData::tagging() const {
  return impl_->tagging;
}
int64_t EncodedData::cutSentences() const {
  return impl_->cutSentences;
}
double EncodedData::meanLength() const {
  return impl_->count ? static_cast<double>(impl_->realTokens) / static_cast<double>(impl_->count)
                      : 0.0;
}

namespace {
// What masked evaluation computes: the kept layers at full width (a part
// with nothing kept is skipped, as sliced).
SubNetwork maskedShape(const SubNetwork& s, const ModelConfig& c) {
  SubNetwork w = s;
  for (size_t l = 0; l < w.layers.size(); ++l) {
    auto& ch = w.layers[l];
    if (!ch.kept()) continue;
    if (ch.heads > 0) ch.heads = c.headsInLayer(static_cast<int64_t>(l));
    if (ch.units > 0) ch.units = c.unitsInLayer(static_cast<int64_t>(l));
  }
  return w;
}

// The weights that run `s` in mode `used` at `precision`: `base` itself
// for the full model, else a sliced or masked copy.
EncoderWeights weightsFor(const EncoderWeights& base, const ModelConfig& c,
                          const std::vector<std::vector<int64_t>>& headOrder,
                          const std::vector<std::vector<int64_t>>& unitOrder, const SubNetwork& s,
                          ExecMode used, Precision precision) {
  EncoderWeights w = s.isFull(c)                ? base
                     : used == ExecMode::Masked ? maskWeights(base, s, headOrder, unitOrder)
                                                : sliceWeights(base, s, headOrder, unitOrder);
  return castWeights(w, precision);
}
}  // namespace

GemmPlan gemmPlanFor(const ModelConfig& c, const std::string& device, Precision p) {
  if (!device.empty() && device != "cpu") return {};
  const GemmType t = p == Precision::BFloat16 ? GemmType::BFloat16
                     : p == Precision::Int8   ? GemmType::Int8
                                              : GemmType::Float32;
  return gemmChoiceFor(c, t).plan;
}

ExecMode fasterMode(const ModelConfig& c, const SubNetwork& s, const ExecRates& rates,
                    int64_t seqLen) {
  const SubNetwork wide = maskedShape(s, c);
  // Nothing to mask (every kept part at full width): both ways run the same weights.
  if (!rates.measured() || wide.layers == s.layers) return ExecMode::Sliced;
  const double sliced = static_cast<double>(flopCount(c, s, seqLen)) / rates.sliced;
  const double masked = static_cast<double>(flopCount(c, wide, seqLen)) / rates.masked;
  return masked < sliced ? ExecMode::Masked : ExecMode::Sliced;
}

ExecMode resolveMode(const Model& m, const SubNetwork& s, const EvalOptions& o) {
  // int8 quantizes each matrix as the export does: the sliced ones.
  if (o.precision == Precision::Int8) return ExecMode::Sliced;
  return o.mode == ExecMode::Auto ? fasterMode(m.config(), s, o.rates, o.latency.seqLen) : o.mode;
}

ExecRates measureExecRates(const EncoderWeights& base, const ModelConfig& c, Act act,
                           const Batch& whole, const std::vector<std::vector<int64_t>>& headOrder,
                           const std::vector<std::vector<int64_t>>& unitOrder,
                           Precision precision) {
  // Half of each layer's heads and units (at least one, where it has any:
  // a pruned model's layer may have none).
  auto half = [](int64_t n) { return std::min(n, std::max<int64_t>(1, n / 2)); };
  SubNetwork probe;
  for (int64_t l = 0; l < c.num_hidden_layers; ++l)
    probe.layers.push_back({half(c.headsInLayer(l)), half(c.unitsInLayer(l))});
  // At most 8 rows: enough for full-speed matrix products, cheap even for
  // BERT-base on a CPU.
  const int64_t rows = std::min<int64_t>(8, whole.ids.size(0)), T = whole.ids.size(1);
  const Batch b{whole.ids.narrow(0, 0, rows), whole.typeIds.narrow(0, 0, rows),
                whole.mask.narrow(0, 0, rows)};
  torch::InferenceMode guard;
  const GemmPlan plan = gemmPlanFor(c, whole.ids.device().str(), precision);
  auto secondsFor = [&](ExecMode mode) {
    const EncoderWeights w = weightsFor(base, c, headOrder, unitOrder, probe, mode, precision);
    const FusedAttention fused = fuseAttention(w, WeightPacking::Auto, plan);
    auto run = [&] {
      encoderForward(w, act, c.layer_norm_eps, b, nullptr, {}, &fused).to(torch::kCPU);
    };
    run();  // warm-up
    double best = 1e300;
    for (int i = 0; i < 3; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      run();
      best = std::min(best,
                      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return std::max(best, 1e-9);
  };
  const double n = static_cast<double>(rows);
  ExecRates r;
  r.sliced = n * static_cast<double>(flopCount(c, probe, T)) / secondsFor(ExecMode::Sliced);
  r.masked = n * static_cast<double>(flopCount(c, maskedShape(probe, c), T)) /
             secondsFor(ExecMode::Masked);
  return r;
}

ExecRates measureExecRates(const Model& m, const EncodedData& data, const EvalOptions& opts) {
  const ModelImpl& mi = m.impl();
  const auto& batches = data.impl().batchesOn(opts.device);
  if (batches.empty()) return {};
  // The middle batch by length.
  return measureExecRates(mi.weightsOn(opts.device), mi.config, mi.act, batches[batches.size() / 2],
                          mi.headOrder, mi.unitOrder, opts.precision);
}

std::shared_ptr<const PreparedSubnet> prepareSubnet(const Model& m, const SubNetwork& s,
                                                    const EvalOptions& o) {
  s.validate(m.config());
  const ModelImpl& mi = m.impl();
  torch::InferenceMode guard;
  auto p = std::make_shared<PreparedSubnet>();
  p->subnet = s;
  p->mode = resolveMode(m, s, o);
  p->device = o.device.empty() ? "cpu" : o.device;
  p->precision = o.precision;
  p->weights = weightsFor(mi.weightsOn(o.device), mi.config, mi.headOrder, mi.unitOrder, s, p->mode,
                          o.precision);
  p->fused =
      fuseAttention(p->weights, WeightPacking::Auto, gemmPlanFor(mi.config, o.device, o.precision));
  return p;
}

namespace {
// Whether `p` runs `s` on `device` at `precision` (else it is another trial's).
bool preparedFor(const PreparedSubnet* p, const SubNetwork& s, const std::string& device,
                 Precision precision) {
  return p && p->subnet.layers == s.layers && p->device == (device.empty() ? "cpu" : device) &&
         p->precision == precision;
}

// Runs `fn(batchIndex, logits)` over the batches `o` asks for, on
// `prepared` (made here where null); returns the mode that ran.
template <class Fn>
ExecMode runBatches(const Model& m, const SubNetwork& s, const EncodedData& data,
                    const EvalOptions& o, const std::atomic<bool>* cancel, Fn&& fn,
                    const PreparedSubnet* prepared = nullptr) {
  std::shared_ptr<const PreparedSubnet> own;
  if (!prepared) {
    own = prepareSubnet(m, s, o);
    prepared = own.get();
  } else if (!preparedFor(prepared, s, o.device, o.precision)) {
    throw Error("evaluate: prepared for another sub-network, device or precision");
  }
  const ModelImpl& mi = m.impl();
  forEachBatch(prepared->weights, mi.config, mi.act, data, o.device, o.batches, cancel, fn,
               &prepared->fused);
  return prepared->mode;
}
}  // namespace

void forEachBatch(const EncoderWeights& w, const ModelConfig& c, Act act, const EncodedData& data,
                  const std::string& device, const std::vector<size_t>& which,
                  const std::atomic<bool>* cancel,
                  const std::function<void(size_t, const torch::Tensor&)>& fn,
                  const FusedAttention* fused) {
  torch::InferenceMode guard;
  const auto& batches = data.impl().batchesOn(device);
  const size_t n = which.empty() ? batches.size() : which.size();
  FusedAttention own;
  if (!fused) {
    own = fuseAttention(w);
    fused = &own;
  }
  for (size_t i = 0; i < n; ++i) {
    if (cancel && cancel->load(std::memory_order_relaxed)) break;
    const size_t b = which.empty() ? i : which[i];
    if (b >= batches.size())
      throw Error("evaluate: batch " + std::to_string(b) + " of " + std::to_string(batches.size()));
    fn(b, encoderForward(w, act, c.layer_norm_eps, batches[b], nullptr, {}, fused)
              .to(torch::kCPU, torch::kFloat32));
  }
}

std::vector<std::vector<float>> computeLogits(const Model& m, const SubNetwork& s,
                                              const EncodedData& data, ExecMode mode,
                                              Precision precision) {
  std::vector<std::vector<float>> out(data.size());
  const auto& d = data.impl();
  EvalOptions o;
  o.mode = mode;
  o.precision = precision;
  runBatches(m, s, data, o, nullptr, [&](size_t b, const torch::Tensor& logits) {
    auto l = logits.contiguous();
    const int64_t K = l.size(-1);
    const float* p = l.data_ptr<float>();
    if (d.tagging) return appendWordLogits(d, b, l, out);
    for (size_t r = 0; r < d.batchIndex[b].size(); ++r)
      out[d.batchIndex[b][r]] = std::vector<float>(p + static_cast<int64_t>(r) * K,
                                                   p + (static_cast<int64_t>(r) + 1) * K);
  });
  return out;
}

LatencyStats measureLatency(const Model& m, const SubNetwork& s, const LatencyOptions& o,
                            const PreparedSubnet* prepared) {
  s.validate(m.config());
  const ModelImpl& mi = m.impl();
  torch::InferenceMode guard;
  std::shared_ptr<const PreparedSubnet> own;
  if (!prepared || prepared->mode != ExecMode::Sliced ||
      !preparedFor(prepared, s, o.device, prepared->precision)) {
    EvalOptions eo;
    eo.mode = ExecMode::Sliced;
    eo.device = o.device;
    eo.precision = prepared ? prepared->precision : Precision::Float32;
    own = prepareSubnet(m, s, eo);
    prepared = own.get();
  }
  const EncoderWeights& sliced = prepared->weights;
  const int64_t T = std::min(o.seqLen, maxSequenceLength(mi.config));
  const torch::Device dev(o.device.empty() ? std::string("cpu") : o.device);
  Batch b;
  b.ids = torch::randint(0, mi.config.vocab_size, {o.batchSize, T}, torch::kLong).to(dev);
  b.typeIds =
      torch::zeros({o.batchSize, T}, torch::TensorOptions().dtype(torch::kLong).device(dev));
  b.mask = torch::ones({o.batchSize, T}, torch::TensorOptions().dtype(torch::kFloat32).device(dev));
  // Logits back on the host, as a caller would have them: this also waits
  // for the device to finish.
  auto request = [&] {
    return encoderForward(sliced, mi.act, mi.config.layer_norm_eps, b, nullptr, {},
                          &prepared->fused)
        .to(torch::kCPU);
  };
  for (int i = 0; i < o.warmup; ++i) request();
  std::vector<double> ms;
  for (int i = 0; i < std::max(1, o.runs); ++i) {
    auto t0 = std::chrono::steady_clock::now();
    request();
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  LatencyStats st;
  st.medianMs =
      ms.size() % 2 ? ms[ms.size() / 2] : 0.5 * (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]);
  st.p95Ms = ms[std::min(
      ms.size() - 1, static_cast<size_t>(std::ceil(0.95 * static_cast<double>(ms.size()))) - 1)];
  return st;
}

EvalResult evaluate(const Model& m, const SubNetwork& s, const EncodedData& data,
                    const EvalOptions& opts, const std::atomic<bool>* cancel,
                    const PreparedSubnet* prepared) {
  const auto t0 = std::chrono::steady_clock::now();
  std::shared_ptr<const PreparedSubnet> own;
  if (!prepared) {
    own = prepareSubnet(m, s, opts);
    prepared = own.get();
  }
  const auto& d = data.impl();
  std::vector<int64_t> pred, truth;
  EvalResult r;
  r.predictions.assign(data.size(), -1);
  std::vector<char> seen;
  if (d.tagging) {
    r.wordTags.resize(data.size());
    seen.assign(data.size(), 0);
  }
  r.modeUsed = runBatches(
      m, s, data, opts, cancel,
      [&](size_t b, const torch::Tensor& logits) {
        if (d.tagging) return collectWordTags(d, m.config(), b, logits, r.wordTags, seen);
        auto am = logits.argmax(1).contiguous();
        const int64_t* p = am.data_ptr<int64_t>();
        for (size_t i = 0; i < d.batchIndex[b].size(); ++i) {
          const size_t idx = d.batchIndex[b][i];
          r.predictions[idx] = p[i];
          pred.push_back(p[i]);
          truth.push_back(d.labels[idx]);
        }
      },
      prepared);
  if (d.tagging)
    taggerMetrics(d, m.config(), opts.tagScheme, seen, r);
  else
    r.metrics = classificationMetrics(pred, truth, m.config().numLabels());
  r.params = parameterCount(m.config(), s);
  r.flops = flopCount(m.config(), s, opts.latency.seqLen);
  if (opts.measureLatency && !(cancel && cancel->load())) {
    LatencyOptions lo = opts.latency;
    lo.device = opts.device;
    r.latency = measureLatency(m, s, lo, prepared);
  }
  r.evalSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace pp
