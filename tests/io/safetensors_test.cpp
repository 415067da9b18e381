// Tests for libu/io/safetensors: the upstream reference samples, round trips of every
// dtype, sharded folders, and one test per malformed-input case.
#include "libu/io/safetensors.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <unistd.h>

#include "common/shared.h"
#include "libu/core/error.h"

namespace libu::io {
namespace {

namespace fsys = std::filesystem;

std::string samples(const std::string& f) {
  return libu::test::shared_path("data/safetensors-samples/" + f);
}

// Runs `fn`, expects a libu::Error whose message contains every string of `parts` and
// which carries a hint. Returns the message.
std::string expect_error(const std::function<void()>& fn,
                         std::initializer_list<std::string> parts) {
  try {
    fn();
  } catch (const libu::Error& e) {
    for (const auto& p : parts)
      EXPECT_NE(e.message().find(p), std::string::npos)
          << "message lacks \"" << p << "\": " << e.message();
    EXPECT_FALSE(e.hint().empty()) << "no hint for: " << e.message();
    return e.message();
  }
  ADD_FAILURE() << "no libu::Error raised";
  return {};
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
}

// A raw safetensors file from a header text and a data buffer.
std::string raw_file(const std::string& header, const std::string& buffer,
                     uint64_t header_len_override = UINT64_MAX) {
  uint64_t n = header_len_override == UINT64_MAX ? header.size() : header_len_override;
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[size_t(i)] = char(uint8_t(n >> (8 * i)));
  return out + header + buffer;
}

std::string write_raw(const std::string& dir, const std::string& name, const std::string& header,
                      const std::string& buffer) {
  std::string p = dir + "/" + name;
  write_bytes(p, raw_file(header, buffer));
  return p;
}

float half_to_float(uint16_t h) {
  const int exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float v = exp == 0 ? std::ldexp(float(mant), -24) : std::ldexp(float(mant | 0x400), exp - 25);
  return (h & 0x8000) ? -v : v;
}

template <typename T>
std::vector<T> values(const TensorView& t) {
  std::vector<T> v(t.nbytes / sizeof(T));
  std::memcpy(v.data(), t.data, t.nbytes);
  return v;
}

// ---------------------------------------------------------------------------------------
// Reference samples (huggingface/safetensors samples/): each holds arange(-3, 3) in one
// dtype, shape [6], metadata {"test": "a"}; overall.safetensors holds all of them.

struct Sample {
  const char* file;
  const char* tensor;
  DType dtype;
};
const Sample kSamples[] = {
    {"B.safetensors", "B", DType::U8},  {"H.safetensors", "H", DType::U16},
    {"I.safetensors", "I", DType::U32}, {"b.safetensors", "b", DType::I8},
    {"d.safetensors", "d", DType::F64}, {"e.safetensors", "e", DType::F16},
    {"f.safetensors", "f", DType::F32}, {"h.safetensors", "h", DType::I16},
    {"i.safetensors", "i", DType::I32},
};

// The six values as doubles (unsigned dtypes wrap -3..-1 around).
std::vector<double> decode(const TensorView& t) {
  std::vector<double> out;
  switch (t.dtype) {
    case DType::U8: for (auto x : values<uint8_t>(t)) out.push_back(x); break;
    case DType::U16: for (auto x : values<uint16_t>(t)) out.push_back(x); break;
    case DType::U32: for (auto x : values<uint32_t>(t)) out.push_back(x); break;
    case DType::I8: for (auto x : values<int8_t>(t)) out.push_back(x); break;
    case DType::I16: for (auto x : values<int16_t>(t)) out.push_back(x); break;
    case DType::I32: for (auto x : values<int32_t>(t)) out.push_back(x); break;
    case DType::F64: for (auto x : values<double>(t)) out.push_back(x); break;
    case DType::F32: for (auto x : values<float>(t)) out.push_back(x); break;
    case DType::F16: for (auto x : values<uint16_t>(t)) out.push_back(half_to_float(x)); break;
    default: ADD_FAILURE() << "unexpected dtype " << dtype_name(t.dtype);
  }
  return out;
}

std::vector<double> expected_sample(DType d) {
  std::vector<double> out;
  for (int v = -3; v < 3; ++v) {
    double x = v;
    if (d == DType::U8 && v < 0) x += 256.0;
    if (d == DType::U16 && v < 0) x += 65536.0;
    if (d == DType::U32 && v < 0) x += 4294967296.0;
    out.push_back(x);
  }
  return out;
}

TEST(SafetensorsSamples, EveryFileInTheFolderOpens) {
  size_t n = 0;
  for (const auto& e : fsys::directory_iterator(libu::test::shared_path("data/safetensors-samples"))) {
    if (e.path().extension() != ".safetensors") continue;
    auto f = SafetensorsFile::open(e.path().string());
    EXPECT_FALSE(f->tensors().empty()) << e.path();
    EXPECT_EQ(f->metadata().at("test"), "a") << e.path();
    ++n;
  }
  EXPECT_EQ(n, 10u);
}

TEST(SafetensorsSamples, SingleDtypeFilesHaveDocumentedValues) {
  for (const Sample& s : kSamples) {
    SCOPED_TRACE(s.file);
    auto f = SafetensorsFile::open(samples(s.file));
    ASSERT_EQ(f->tensors().size(), 1u);
    const TensorView& t = f->get(s.tensor);
    EXPECT_EQ(t.name, s.tensor);
    EXPECT_EQ(t.dtype, s.dtype);
    EXPECT_EQ(t.shape, std::vector<int64_t>({6}));
    EXPECT_EQ(t.numel(), 6);
    EXPECT_EQ(t.nbytes, 6 * dtype_size(s.dtype));
    EXPECT_EQ(decode(t), expected_sample(s.dtype));
    EXPECT_EQ(f->metadata(), (std::map<std::string, std::string>{{"test", "a"}}));
  }
}

TEST(SafetensorsSamples, OverallHoldsAllInFileOrder) {
  auto f = SafetensorsFile::open(samples("overall.safetensors"));
  ASSERT_EQ(f->tensors().size(), std::size(kSamples));
  for (size_t i = 0; i < std::size(kSamples); ++i) {
    const TensorView& t = f->tensors()[i];
    EXPECT_EQ(t.name, kSamples[i].tensor);  // header order == buffer order here
    EXPECT_EQ(t.dtype, kSamples[i].dtype);
    EXPECT_EQ(decode(t), expected_sample(t.dtype)) << t.name;
  }
  SafetensorsStore store = SafetensorsStore::open_file(samples("overall.safetensors"));
  EXPECT_EQ(store.names(),
            (std::vector<std::string>{"B", "H", "I", "b", "d", "e", "f", "h", "i"}));
  EXPECT_EQ(store.file_of("e"), samples("overall.safetensors"));
  EXPECT_EQ(store.metadata().at("test"), "a");
  EXPECT_EQ(decode(store.get("d")), expected_sample(DType::F64));
}

// ---------------------------------------------------------------------------------------
// dtype helpers

TEST(SafetensorsDType, NamesSizesAndParsing) {
  const std::pair<DType, size_t> all[] = {
      {DType::F64, 8}, {DType::F32, 4}, {DType::F16, 2}, {DType::BF16, 2}, {DType::I64, 8},
      {DType::I32, 4}, {DType::I16, 2}, {DType::I8, 1},  {DType::U8, 1},   {DType::BOOL, 1},
      {DType::U16, 2}, {DType::U32, 4}, {DType::U64, 8}};
  for (auto [d, size] : all) {
    EXPECT_EQ(dtype_size(d), size) << dtype_name(d);
    EXPECT_EQ(parse_dtype(dtype_name(d), "ctx"), d);
  }
  expect_error([] { parse_dtype("f32", "somewhere.safetensors"); },
               {"somewhere.safetensors", "unknown dtype", "f32"});
}

// ---------------------------------------------------------------------------------------
// Round trips

template <typename T>
std::vector<uint8_t> as_bytes(const std::vector<T>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(T));
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

TEST(SafetensorsRoundTrip, EveryDtypeByteEqual) {
  const std::string dir = libu::test::temp_dir("st-roundtrip");
  struct Case {
    std::string name;
    DType dtype;
    std::vector<int64_t> shape;
    std::vector<uint8_t> bytes;
  };
  std::vector<Case> cases = {
      {"f64", DType::F64, {2, 3}, as_bytes<double>({1.5, -2.25, 1e300, -0.0, 3, 4})},
      {"f32", DType::F32, {3}, as_bytes<float>({1.5f, -2.0f, 3.25e-7f})},
      {"f16", DType::F16, {2, 2}, as_bytes<uint16_t>({0x3c00, 0xc000, 0x7bff, 0x0001})},
      {"bf16", DType::BF16, {1, 3}, as_bytes<uint16_t>({0x3f80, 0xbf80, 0x7f7f})},
      {"i64", DType::I64, {2}, as_bytes<int64_t>({INT64_MIN, INT64_MAX})},
      {"i32", DType::I32, {3}, as_bytes<int32_t>({-7, 0, 123456789})},
      {"i16", DType::I16, {3}, as_bytes<int16_t>({-32768, 1, 32767})},
      {"i8", DType::I8, {5}, as_bytes<int8_t>({-128, -1, 0, 1, 127})},
      {"u8", DType::U8, {2, 2, 1}, as_bytes<uint8_t>({0, 1, 254, 255})},
      {"bool", DType::BOOL, {4}, as_bytes<uint8_t>({1, 0, 0, 1})},
      {"u16", DType::U16, {2}, as_bytes<uint16_t>({0, 65535})},
      {"u32", DType::U32, {2}, as_bytes<uint32_t>({0, 4294967295u})},
      {"u64", DType::U64, {1}, as_bytes<uint64_t>({UINT64_MAX})},
      {"scalar", DType::F32, {}, as_bytes<float>({42.0f})},
      {"empty", DType::F32, {0, 4}, {}},
      {"empty_i8", DType::I8, {0}, {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    // One file per dtype...
    const std::string path = dir + "/" + c.name + ".safetensors";
    write_safetensors(path, {{c.name, c.dtype, c.shape, c.bytes.data(), c.bytes.size()}},
                      {{"format", "pt"}, {"dtype", dtype_name(c.dtype)}});
    auto f = SafetensorsFile::open(path);
    const TensorView& t = f->get(c.name);
    EXPECT_EQ(t.dtype, c.dtype);
    EXPECT_EQ(t.shape, c.shape);
    ASSERT_EQ(t.nbytes, c.bytes.size());
    EXPECT_TRUE(c.bytes.empty() || std::memcmp(t.data, c.bytes.data(), c.bytes.size()) == 0);  // no memcmp on null
    EXPECT_EQ(f->metadata().at("dtype"), dtype_name(c.dtype));
    EXPECT_EQ(f->metadata().at("format"), "pt");
    EXPECT_FALSE(fsys::exists(path + ".tmp-" + std::to_string(getpid())));
  }
  // ...and all in one file, in the given order.
  std::vector<TensorToWrite> all;
  for (const Case& c : cases) all.push_back({c.name, c.dtype, c.shape, c.bytes.data(), c.bytes.size()});
  const std::string path = dir + "/all.safetensors";
  write_safetensors(path, all);
  auto f = SafetensorsFile::open(path);
  EXPECT_TRUE(f->metadata().empty());
  ASSERT_EQ(f->tensors().size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    const TensorView& t = f->tensors()[i];
    EXPECT_EQ(t.name, cases[i].name);
    ASSERT_EQ(t.nbytes, cases[i].bytes.size());
    EXPECT_TRUE(t.nbytes == 0 || std::memcmp(t.data, cases[i].bytes.data(), t.nbytes) == 0) << t.name;
  }
  EXPECT_EQ(f->get("scalar").numel(), 1);
  EXPECT_EQ(f->get("empty").numel(), 0);
}

TEST(SafetensorsRoundTrip, HeaderIsEightByteAlignedAndSpacePadded) {
  const std::string dir = libu::test::temp_dir("st-align");
  for (size_t len = 1; len <= 9; ++len) {  // names of varying length shift the JSON size
    const std::string name(len, 'w');
    const uint8_t data[3] = {1, 2, 3};
    const std::string path = dir + "/a.safetensors";
    write_safetensors(path, {{name, DType::U8, {3}, data, 3}}, {{"k", "v"}});
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | uint8_t(bytes[size_t(i)]);
    EXPECT_EQ(n % 8, 0u);
    EXPECT_EQ(bytes.size(), 8 + n + 3);
    const std::string header = bytes.substr(8, n);
    EXPECT_EQ(header.front(), '{');
    const size_t close = header.find_last_of('}');
    EXPECT_EQ(header.find_first_not_of(' ', close + 1), std::string::npos);
    EXPECT_NE(header.find("\"__metadata__\":{\"k\":\"v\"}"), std::string::npos) << header;
    auto f = SafetensorsFile::open(path);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(f->get(name).data) % 8, 0u);
  }
}

TEST(SafetensorsRoundTrip, OverwritesAtomically) {
  const std::string dir = libu::test::temp_dir("st-overwrite");
  const std::string path = dir + "/m.safetensors";
  const float a[2] = {1, 2}, b[1] = {3};
  write_safetensors(path, {{"a", DType::F32, {2}, a, 8}});
  auto old = SafetensorsFile::open(path);  // the old mapping stays valid after the rename
  write_safetensors(path, {{"b", DType::F32, {1}, b, 4}});
  EXPECT_EQ(values<float>(old->get("a")), (std::vector<float>{1, 2}));
  auto now = SafetensorsFile::open(path);
  EXPECT_FALSE(now->contains("a"));
  EXPECT_EQ(values<float>(now->get("b")), (std::vector<float>{3}));
  EXPECT_EQ(std::distance(fsys::directory_iterator(dir), fsys::directory_iterator()), 1);
}

TEST(SafetensorsWrite, RejectsBadInput) {
  const std::string dir = libu::test::temp_dir("st-writebad");
  const std::string path = dir + "/w.safetensors";
  const float x[2] = {1, 2};
  expect_error([&] { write_safetensors(path, {{"x", DType::F32, {3}, x, 8}}); },
               {path, "\"x\"", "nbytes"});
  expect_error([&] { write_safetensors(path, {{"x", DType::F32, {2}, x, 8}, {"x", DType::F32, {2}, x, 8}}); },
               {path, "\"x\"", "duplicate"});
  expect_error([&] { write_safetensors(path, {{"x", DType::F32, {-2}, x, 8}}); },
               {path, "\"x\"", "negative"});
  expect_error([&] { write_safetensors(dir + "/no/such/dir/w.safetensors", {}); },
               {"no/such/dir"});
  EXPECT_FALSE(fsys::exists(path));
}

// ---------------------------------------------------------------------------------------
// Stores: single file, sharded folder

TEST(SafetensorsStore, SingleFileFolder) {
  const std::string dir = libu::test::temp_dir("st-single");
  const float w[4] = {1, 2, 3, 4};
  write_safetensors(dir + "/model.safetensors",
                    {{"z.weight", DType::F32, {2, 2}, w, 16}, {"a.bias", DType::F32, {1}, w, 4}},
                    {{"format", "pt"}});
  SafetensorsStore s = SafetensorsStore::open_dir(dir);
  EXPECT_EQ(s.names(), (std::vector<std::string>{"a.bias", "z.weight"}));
  EXPECT_TRUE(s.contains("a.bias"));
  EXPECT_FALSE(s.contains("nope"));
  EXPECT_EQ(s.file_of("z.weight"), (fsys::path(dir) / "model.safetensors").string());
  EXPECT_EQ(s.metadata().at("format"), "pt");
  EXPECT_EQ(values<float>(s.get("z.weight")), (std::vector<float>{1, 2, 3, 4}));
  expect_error([&] { s.get("nope"); }, {"model.safetensors", "\"nope\""});
  expect_error([&] { SafetensorsFile::open(dir + "/model.safetensors")->get("nope"); },
               {"model.safetensors", "\"nope\""});
}

void write_index(const std::string& dir, const std::string& weight_map_json) {
  write_bytes(dir + "/model.safetensors.index.json",
              "{\"metadata\": {\"total_size\": 24}, \"weight_map\": " + weight_map_json + "}");
}

TEST(SafetensorsStore, ShardedFolder) {
  const std::string dir = libu::test::temp_dir("st-sharded");
  const float a[2] = {1, 2}, b[3] = {3, 4, 5}, c[1] = {6};
  write_safetensors(dir + "/model-00001-of-00002.safetensors",
                    {{"a", DType::F32, {2}, a, 8}, {"c", DType::F32, {}, c, 4}}, {{"shard", "1"}});
  fsys::create_directories(dir + "/sub");
  write_safetensors(dir + "/sub/model-00002-of-00002.safetensors", {{"b", DType::F32, {3}, b, 12}},
                    {{"shard", "2"}});
  write_index(dir, R"({"a": "model-00001-of-00002.safetensors",
                       "b": "sub/model-00002-of-00002.safetensors",
                       "c": "model-00001-of-00002.safetensors"})");
  SafetensorsStore s = SafetensorsStore::open_dir(dir);
  EXPECT_EQ(s.names(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(values<float>(s.get("b")), (std::vector<float>{3, 4, 5}));
  EXPECT_EQ(values<float>(s.get("c")), (std::vector<float>{6}));
  EXPECT_NE(s.file_of("b").find("sub/model-00002-of-00002.safetensors"), std::string::npos);
  EXPECT_NE(s.file_of("a").find("model-00001-of-00002.safetensors"), std::string::npos);
  EXPECT_EQ(s.metadata().at("shard"), "1");
  SafetensorsStore copy = s;  // views stay valid in copies
  EXPECT_EQ(values<float>(copy.get("a")), (std::vector<float>{1, 2}));
}

TEST(SafetensorsStore, IndexTensorMissingFromItsShard) {
  const std::string dir = libu::test::temp_dir("st-idx-mismatch");
  const float a[2] = {1, 2};
  write_safetensors(dir + "/s1.safetensors", {{"a", DType::F32, {2}, a, 8}});
  write_index(dir, R"({"a": "s1.safetensors", "ghost": "s1.safetensors"})");
  expect_error([&] { SafetensorsStore::open_dir(dir); },
               {"model.safetensors.index.json", "\"ghost\"", "s1.safetensors"});
}

TEST(SafetensorsStore, TensorInTwoShards) {
  const std::string dir = libu::test::temp_dir("st-dup");
  const float a[2] = {1, 2};
  write_safetensors(dir + "/s1.safetensors", {{"a", DType::F32, {2}, a, 8}});
  write_safetensors(dir + "/s2.safetensors", {{"a", DType::F32, {2}, a, 8}});
  write_index(dir, R"({"a": "s1.safetensors", "b": "s2.safetensors"})");
  expect_error([&] { SafetensorsStore::open_dir(dir); }, {"s2.safetensors", "\"a\"", "s1.safetensors"});
}

TEST(SafetensorsStore, FolderWithoutWeights) {
  const std::string dir = libu::test::temp_dir("st-empty");
  expect_error([&] { SafetensorsStore::open_dir(dir); }, {dir, "model.safetensors"});
  expect_error([&] { SafetensorsStore::open_dir(dir + "/missing"); }, {"missing"});
}

// ---------------------------------------------------------------------------------------
// Malformed input: one test per case. Each error names the file and, where there is one,
// the tensor.

class SafetensorsBad : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = libu::test::temp_dir(std::string("st-bad-") +
                                ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  std::string dir_;
};

TEST_F(SafetensorsBad, TruncatedFileShorterThanLengthPrefix) {
  const std::string p = dir_ + "/short.safetensors";
  write_bytes(p, std::string("\x10\x00\x00", 3));
  expect_error([&] { SafetensorsFile::open(p); }, {p, "truncated"});
  write_bytes(p, "");
  expect_error([&] { SafetensorsFile::open(p); }, {p, "truncated"});
}

TEST_F(SafetensorsBad, TruncatedFileCutInsideTheBuffer) {
  const float w[4] = {1, 2, 3, 4};
  const std::string p = dir_ + "/cut.safetensors";
  write_safetensors(p, {{"w", DType::F32, {4}, w, 16}});
  fsys::resize_file(p, fsys::file_size(p) - 5);
  expect_error([&] { SafetensorsFile::open(p); }, {p, "\"w\"", "out of bounds"});
}

TEST_F(SafetensorsBad, TruncatedFileCutInsideTheHeader) {
  const float w[4] = {1, 2, 3, 4};
  const std::string p = dir_ + "/cut.safetensors";
  write_safetensors(p, {{"w", DType::F32, {4}, w, 16}});
  fsys::resize_file(p, 20);
  expect_error([&] { SafetensorsFile::open(p); }, {p, "header length", "beyond the file size"});
}

TEST_F(SafetensorsBad, HeaderLengthBeyondFile) {
  const std::string p = dir_ + "/len.safetensors";
  const std::string h = R"({"t":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})";
  write_bytes(p, raw_file(h, "x", h.size() + 100));
  expect_error([&] { SafetensorsFile::open(p); }, {p, "header length", "beyond the file size"});
  write_bytes(p, raw_file(h, "x", UINT64_MAX - 3));  // must not overflow
  expect_error([&] { SafetensorsFile::open(p); }, {p, "beyond the file size"});
}

TEST_F(SafetensorsBad, InvalidJson) {
  const std::string p = write_raw(dir_, "json.safetensors",
                                  R"({"t":{"dtype":"U8","shape":[1],"data_offsets":[0,1]})", "x");
  expect_error([&] { SafetensorsFile::open(p); }, {p, "not valid JSON"});
  const std::string q = write_raw(dir_, "array.safetensors", "[1, 2]", "");
  expect_error([&] { SafetensorsFile::open(q); }, {q, "not an object"});
}

TEST_F(SafetensorsBad, UnknownDtype) {
  const std::string p = write_raw(
      dir_, "dtype.safetensors", R"({"w.q":{"dtype":"F12","shape":[1],"data_offsets":[0,2]}})", "xx");
  expect_error([&] { SafetensorsFile::open(p); }, {p, "\"w.q\"", "unknown dtype", "F12"});
}

TEST_F(SafetensorsBad, OverlappingOffsets) {
  const std::string p = write_raw(dir_, "overlap.safetensors",
                                  R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},
                                      "b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}})",
                                  "012345");
  expect_error([&] { SafetensorsFile::open(p); }, {p, "\"b\"", "overlap", "\"a\""});
}

TEST_F(SafetensorsBad, GapInOffsets) {
  const std::string p = write_raw(dir_, "gap.safetensors",
                                  R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},
                                      "b":{"dtype":"U8","shape":[2],"data_offsets":[4,6]}})",
                                  "012345");
  expect_error([&] { SafetensorsFile::open(p); }, {p, "\"b\"", "gap", "\"a\""});
  const std::string q = write_raw(dir_, "start.safetensors",
                                  R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}})", "012");
  expect_error([&] { SafetensorsFile::open(q); }, {q, "\"a\"", "gap"});
}

TEST_F(SafetensorsBad, TrailingBytesAfterLastTensor) {
  const std::string p = write_raw(
      dir_, "tail.safetensors", R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}})", "0123");
  expect_error([&] { SafetensorsFile::open(p); }, {p, "\"a\"", "trailing bytes"});
}

TEST_F(SafetensorsBad, OutOfBoundsOffsets) {
  const std::string p = write_raw(
      dir_, "oob.safetensors", R"({"a":{"dtype":"U8","shape":[8],"data_offsets":[0,8]}})", "0123");
  expect_error([&] { SafetensorsFile::open(p); }, {p, "\"a\"", "out of bounds"});
  const std::string q = write_raw(
      dir_, "neg.safetensors", R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[-1,0]}})", "0");
  expect_error([&] { SafetensorsFile::open(q); }, {q, "\"a\"", "data_offsets"});
  const std::string r = write_raw(
      dir_, "rev.safetensors", R"({"a":{"dtype":"U8","shape":[0],"data_offsets":[3,1]}})", "012");
  expect_error([&] { SafetensorsFile::open(r); }, {r, "\"a\"", "end before"});
}

TEST_F(SafetensorsBad, ShapeBytesMismatch) {
  const std::string p = write_raw(
      dir_, "shape.safetensors", R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}})",
      std::string(20, '\0'));
  expect_error([&] { SafetensorsFile::open(p); }, {p, "\"w\"", "[2, 3]", "24", "20"});
  // Overflowing shapes are mismatches too, not crashes.
  const std::string q = write_raw(
      dir_, "huge.safetensors",
      R"({"w":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}})",
      std::string(8, '\0'));
  expect_error([&] { SafetensorsFile::open(q); }, {q, "\"w\"", "bytes"});
}

TEST_F(SafetensorsBad, NegativeShape) {
  const std::string p = write_raw(
      dir_, "negshape.safetensors", R"({"w":{"dtype":"U8","shape":[-2],"data_offsets":[0,0]}})", "");
  expect_error([&] { SafetensorsFile::open(p); }, {p, "\"w\"", "negative"});
}

TEST_F(SafetensorsBad, MissingFieldsAndBadMetadata) {
  const std::string p = write_raw(dir_, "nofield.safetensors",
                                  R"({"w":{"dtype":"U8","shape":[1]}})", "x");
  expect_error([&] { SafetensorsFile::open(p); }, {p, "\"w\"", "data_offsets"});
  const std::string q = write_raw(dir_, "meta.safetensors", R"({"__metadata__":{"n":1}})", "");
  expect_error([&] { SafetensorsFile::open(q); }, {q, "__metadata__", "\"n\""});
}

TEST_F(SafetensorsBad, EmptyAndScalarTensorsAreLegal) {
  const std::string p = write_raw(dir_, "ok.safetensors",
                                  R"({"e":{"dtype":"F32","shape":[3,0],"data_offsets":[0,0]},
                                      "s":{"dtype":"F32","shape":[],"data_offsets":[0,4]},
                                      "z":{"dtype":"BOOL","shape":[0],"data_offsets":[4,4]}})",
                                  std::string(4, '\0'));
  auto f = SafetensorsFile::open(p);
  EXPECT_EQ(f->get("e").nbytes, 0u);
  EXPECT_EQ(f->get("s").numel(), 1);
  EXPECT_EQ(f->get("z").numel(), 0);
  const std::string q = write_raw(dir_, "none.safetensors", "{}", "");
  EXPECT_TRUE(SafetensorsFile::open(q)->tensors().empty());
}

TEST_F(SafetensorsBad, IndexEscapingTheFolder) {
  const float a[1] = {1};
  const std::string model = dir_ + "/model";
  fsys::create_directories(model);
  write_safetensors(dir_ + "/outside.safetensors", {{"a", DType::F32, {1}, a, 4}});
  for (const std::string& shard :
       {std::string("../outside.safetensors"), std::string("sub/../../outside.safetensors"),
        dir_ + "/outside.safetensors", std::string("..\\\\outside.safetensors")}) {
    SCOPED_TRACE(shard);
    write_index(model, "{\"a\": \"" + shard + "\"}");
    expect_error([&] { SafetensorsStore::open_dir(model); },
                 {"model.safetensors.index.json", "\"a\"", "inside the model folder"});
  }
}

TEST_F(SafetensorsBad, IndexNamingMissingShard) {
  const float a[1] = {1};
  write_safetensors(dir_ + "/model-00001-of-00002.safetensors", {{"a", DType::F32, {1}, a, 4}});
  write_index(dir_, R"({"a": "model-00001-of-00002.safetensors",
                        "b": "model-00002-of-00002.safetensors"})");
  expect_error([&] { SafetensorsStore::open_dir(dir_); },
               {"model.safetensors.index.json", "model-00002-of-00002.safetensors", "\"b\"",
                "does not exist"});
}

TEST_F(SafetensorsBad, IndexInvalid) {
  write_bytes(dir_ + "/model.safetensors.index.json", "{\"weight_map\": ");
  expect_error([&] { SafetensorsStore::open_dir(dir_); },
               {"model.safetensors.index.json", "not valid JSON"});
  write_bytes(dir_ + "/model.safetensors.index.json", "{\"metadata\": {}}");
  expect_error([&] { SafetensorsStore::open_dir(dir_); },
               {"model.safetensors.index.json", "weight_map"});
}

TEST_F(SafetensorsBad, PickleCheckpointFolder) {
  // A pickle stream (protocol 2) and a torch zip container; contents do not matter.
  write_bytes(dir_ + "/pytorch_model.bin", std::string("\x80\x02}q\x00.", 6));
  write_bytes(dir_ + "/config.json", "{}");
  expect_error([&] { SafetensorsStore::open_dir(dir_); },
                                       {dir_, "pytorch_model.bin", "pickle", "safetensors"});
  try {
    SafetensorsStore::open_dir(dir_);
  } catch (const libu::Error& e) {
    EXPECT_NE(e.hint().find("save_file"), std::string::npos) << e.hint();
    EXPECT_NE(e.hint().find("safe_serialization=True"), std::string::npos) << e.hint();
  }
  // A safetensors file next to the pickle wins.
  const float a[1] = {1};
  write_safetensors(dir_ + "/model.safetensors", {{"a", DType::F32, {1}, a, 4}});
  EXPECT_TRUE(SafetensorsStore::open_dir(dir_).contains("a"));
}

TEST_F(SafetensorsBad, PickleCheckpointFiles) {
  for (const char* name : {"pytorch_model.bin", "model.pt", "weights.pth", "last.ckpt"}) {
    const std::string p = dir_ + "/" + name;
    write_bytes(p, std::string("PK\x03\x04rest-of-zip", 16));
    expect_error([&] { SafetensorsStore::open_file(p); }, {p, "pickle", "safetensors"});
    expect_error([&] { SafetensorsFile::open(p); }, {p, "pickle"});
  }
  // Recognised by content even under a misleading name.
  const std::string p = dir_ + "/renamed.safetensors";
  write_bytes(p, std::string("\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00}", 12));
  expect_error([&] { SafetensorsFile::open(p); }, {p, "pickle"});
  const std::string d = dir_ + "/ckpt";
  fsys::create_directories(d);
  write_bytes(d + "/model.pt", "x");
  expect_error([&] { SafetensorsStore::open_dir(d); }, {d, "model.pt", "pickle"});
}

TEST_F(SafetensorsBad, NotAFile) {
  expect_error([&] { SafetensorsFile::open(dir_ + "/missing.safetensors"); },
               {"missing.safetensors", "cannot open"});
  expect_error([&] { SafetensorsFile::open(dir_); }, {dir_, "not a regular file"});
}

}  // namespace
}  // namespace libu::io
