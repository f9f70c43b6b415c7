// Safetensors reader and writer: round trip, half-precision conversion, and
// crafted malformed files, each rejected with its own reason.
#include <QtTest>

#include <cstring>

#include "paretoprune/formats/safetensors.h"
#include "testutil.h"

namespace {
// A file from a header text and `dataBytes` zero bytes of data.
std::vector<uint8_t> craft(const std::string& header, size_t dataBytes, int64_t lengthOverride = -1,
                           const std::string& data = {}) {
  std::string out;
  uint64_t n = lengthOverride >= 0 ? static_cast<uint64_t>(lengthOverride) : header.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  out += header;
  out.append(dataBytes, '\0');
  out += data;
  return std::vector<uint8_t>(out.begin(), out.end());
}
}  // namespace

class TestSafetensors : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void roundTrip() {
    QTemporaryDir dir;
    const std::string path = dir.path().toStdString() + "/w.safetensors";
    std::vector<float> a = {1.5f, -2.0f, 3.25f, 0.0f, 1e-8f, -7.0f};
    std::vector<float> b = {42.0f};
    pp::writeSafetensors(
        path, {{"b", {1}, b.data()}, {"a", {2, 3}, a.data()}, {"empty", {0, 4}, nullptr}},
        {{"format", "pt"}});
    auto f = pp::SafetensorsFile::open(path);
    QCOMPARE(f.tensors().size(), size_t(3));
    QCOMPARE(f.metadata().at("format"), std::string("pt"));
    const auto* t = f.find("a");
    QVERIFY(t);
    QCOMPARE(t->shape, (std::vector<int64_t>{2, 3}));
    QCOMPARE(pp::SafetensorsFile::toFloat32(*t), a);
    QCOMPARE(pp::SafetensorsFile::toFloat32(*f.find("b")), b);
    QCOMPARE(f.find("empty")->numel(), int64_t(0));
    // The header is padded so the data starts 8-byte aligned.
    std::string bytes = testutil::readText(path);
    uint64_t n = 0;
    std::memcpy(&n, bytes.data(), 8);
    QCOMPARE((8 + n) % 8, uint64_t(0));
  }

  void halfAndBfloat() {
    // 1.0, -2.0, 0.5, 65504 (max half), smallest subnormal half
    const uint16_t f16[] = {0x3C00, 0xC000, 0x3800, 0x7BFF, 0x0001};
    const uint16_t bf16[] = {0x3F80, 0xC000, 0x3F00, 0x4780, 0x0000};
    std::string header = R"({"h":{"dtype":"F16","shape":[5],"data_offsets":[0,10]},)"
                         R"("b":{"dtype":"BF16","shape":[5],"data_offsets":[10,20]}})";
    auto bytes = craft(header, 0, -1,
                       std::string(reinterpret_cast<const char*>(f16), 10) +
                           std::string(reinterpret_cast<const char*>(bf16), 10));
    auto f = pp::SafetensorsFile::fromBytes(bytes);
    auto h = pp::SafetensorsFile::toFloat32(*f.find("h"));
    QCOMPARE(h[0], 1.0f);
    QCOMPARE(h[1], -2.0f);
    QCOMPARE(h[2], 0.5f);
    QCOMPARE(h[3], 65504.0f);
    QCOMPARE(h[4], 5.9604644775390625e-08f);
    auto b = pp::SafetensorsFile::toFloat32(*f.find("b"));
    QCOMPARE(b[0], 1.0f);
    QCOMPARE(b[1], -2.0f);
    QCOMPARE(b[2], 0.5f);
    QCOMPARE(b[3], 65536.0f);
  }

  void malformed_data() {
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<int>("dataBytes");
    QTest::addColumn<qlonglong>("lengthOverride");
    QTest::addColumn<QString>("fragment");
    auto row = [](const char* name, const char* h, int data, const char* frag, qlonglong len = -1) {
      QTest::newRow(name) << QByteArray(h) << data << len << QString(frag);
    };
    row("length past end", R"({})", 0, "runs past the end of the file", 1000);
    row("huge header", R"({})", 0, "exceeds the 100 MB limit", 200000000000LL);
    row("not json", R"({"a": nope})", 0, "not valid JSON");
    row("not utf8", "{\"\xff\xfe\":1}", 0, "not valid UTF-8");
    row("not object", R"([1,2])", 0, "must be a JSON object");
    row("unknown dtype", R"({"a":{"dtype":"F8","shape":[1],"data_offsets":[0,1]}})", 1,
        "unknown dtype");
    row("span mismatch", R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", 4,
        "does not match shape");
    row("past end", R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 4,
        "run past the end");
    row("end before begin", R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}})", 8,
        "precedes begin");
    row("overlap",
        R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
        12, "overlaps");
    row("hole", R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8, "hole");
    row("trailing", R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 8,
        "trailing bytes");
    row("overflow", R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}})",
        4, "overflows");
    row("negative dim", R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4,
        "non-negative");
    row("duplicate",
        R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
        8, "appears twice");
    row("bad offsets", R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}})", 4,
        "data_offsets");
    row("bad metadata", R"({"__metadata__":{"x":1}})", 0, "__metadata__");
    row("too short", "", 0, "fewer than the 8-byte", -2);
  }
  void malformed() {
    QFETCH(QByteArray, header);
    QFETCH(int, dataBytes);
    QFETCH(qlonglong, lengthOverride);
    QFETCH(QString, fragment);
    std::vector<uint8_t> bytes;
    if (lengthOverride == -2)
      bytes = {1, 2, 3};
    else
      bytes = craft(header.toStdString(), static_cast<size_t>(dataBytes), lengthOverride);
    PP_EXPECT_ERROR(pp::SafetensorsFile::fromBytes(bytes), fragment.toStdString());
  }

  void truncatedFileOnDisk() {
    QTemporaryDir dir;
    const std::string path = dir.path().toStdString() + "/w.safetensors";
    std::vector<float> a(100, 1.0f);
    pp::writeSafetensors(path, {{"a", {100}, a.data()}});
    std::string bytes = testutil::readText(path);
    testutil::writeText(path, bytes.substr(0, bytes.size() - 10));
    PP_EXPECT_ERROR(pp::SafetensorsFile::open(path), "truncated");
    PP_EXPECT_ERROR(pp::SafetensorsFile::open(path + ".missing"), "cannot open");
  }

  void integerDtypeNotFloat() {
    auto f = pp::SafetensorsFile::fromBytes(
        craft(R"({"i":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}})", 8));
    PP_EXPECT_ERROR(pp::SafetensorsFile::toFloat32(*f.find("i")), "only F32, F16, BF16");
  }
};

QTEST_APPLESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"
