// Thrift compact protocol, the encodings, and robustness of the parquet entry points
// (bytes, size) against truncated and corrupted input.
#include <gtest/gtest.h>

#include "common/shared.h"
#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/core/rng.h"
#include "libu/io/parquet/encodings.h"
#include "libu/io/parquet/metadata.h"
#include "libu/io/parquet/reader.h"
#include "libu/io/parquet/thrift.h"

using namespace libu;
using namespace libu::io;
using namespace libu::io::parquet;

TEST(Thrift, ReadsFieldsVarintsAndSkipsUnknown) {
  // struct { 1: i32 = -3, 2: binary "hi", 5: list<i64> [1, 300], 20: struct {1: bool true}, 21: double 1.5 }
  std::vector<uint8_t> b = {0x15, 0x05,                   // field 1 (delta 1) i32 zigzag(-3)=5
                            0x18, 0x02, 'h', 'i',         // field 2 binary
                            0x39, 0x26, 0x02, 0xd8, 0x04, // field 5 (delta 3) list of 2 i64: 1, 300
                            0x0c, 0x28,                   // field 20 (long form: delta 0, zigzag 20=40) struct
                            0x11, 0x00,                   //   field 1 bool true, stop
                            0x17, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f,  // field 21 double 1.5
                            0x00};
  thrift::CompactReader r(b.data(), b.size(), "test");
  r.begin_struct();
  auto h = r.read_field_header();
  EXPECT_EQ(h.id, 1);
  EXPECT_EQ(r.read_i32(), -3);
  h = r.read_field_header();
  EXPECT_EQ(h.id, 2);
  EXPECT_EQ(r.read_binary(), "hi");
  h = r.read_field_header();
  EXPECT_EQ(h.id, 5);
  auto l = r.read_list_header();
  EXPECT_EQ(l.size, 2u);
  EXPECT_EQ(r.read_i64(), 1);
  EXPECT_EQ(r.read_i64(), 300);
  h = r.read_field_header();
  EXPECT_EQ(h.id, 20);
  r.skip(h.type);
  h = r.read_field_header();
  EXPECT_EQ(h.id, 21);
  EXPECT_DOUBLE_EQ(r.read_double(), 1.5);
  EXPECT_EQ(r.read_field_header().type, thrift::T_STOP);
  r.end_struct();
}

TEST(Thrift, RejectsTruncationAndDeepNesting) {
  std::vector<uint8_t> b = {0x18, 0x10, 'a'};  // binary of length 8, 1 byte present
  thrift::CompactReader r(b.data(), b.size(), "f.parquet: footer");
  r.begin_struct();
  r.read_field_header();
  try {
    r.read_binary();
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("f.parquet: footer"), std::string::npos);
  }
  std::vector<uint8_t> deep(200, 0x1c);  // struct field inside struct field ...
  thrift::CompactReader d(deep.data(), deep.size(), "deep");
  EXPECT_THROW(d.skip(thrift::T_STRUCT), Error);
}

TEST(Encodings, RleHybridAndBitWidth) {
  EXPECT_EQ(bit_width_for(0), 0);
  EXPECT_EQ(bit_width_for(1), 1);
  EXPECT_EQ(bit_width_for(7), 3);
  EXPECT_EQ(bit_width_for(8), 4);
  // RLE run of 5 × value 3 (bw 2), then a bit-packed group of 8 values 0,1,2,3,0,1,2,3.
  std::vector<uint8_t> b = {0x0a, 0x03, 0x03, 0xe4, 0xe4};
  std::string ctx = "t";
  RleDecoder dec(b.data(), b.size(), 2, ctx);
  std::vector<uint32_t> out(13);
  dec.decode(out.data(), 13);
  EXPECT_EQ(out, (std::vector<uint32_t>{3, 3, 3, 3, 3, 0, 1, 2, 3, 0, 1, 2, 3}));
  RleDecoder short_dec(b.data(), b.size(), 2, ctx);
  std::vector<uint32_t> too_many(14);
  EXPECT_THROW(short_dec.decode(too_many.data(), 14), Error);
}

TEST(Encodings, DeltaBinaryPackedSpecExample) {
  // parquet-format Encodings.md example 1: 1 2 3 4 5 -> deltas all 1, min delta 1, bit width 0.
  std::vector<uint8_t> b = {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00};
  std::vector<int64_t> v;
  size_t used = decode_delta_binary_packed(b.data(), b.size(), 5, v, "t");
  EXPECT_EQ(v, (std::vector<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(used, b.size());
  std::vector<int64_t> w;
  EXPECT_THROW(decode_delta_binary_packed(b.data(), b.size(), 6, w, "t"), Error);  // count mismatch
}

TEST(Encodings, ByteStreamSplit) {
  std::vector<uint8_t> in = {1, 2, 3, 10, 20, 30};  // 3 values × 2 bytes
  std::vector<uint8_t> out(6);
  decode_byte_stream_split(in.data(), in.size(), 3, 2, out.data(), "t");
  EXPECT_EQ(out, (std::vector<uint8_t>{1, 10, 2, 20, 3, 30}));
}

namespace {
// Decoding a damaged buffer must either succeed or raise libu::Error — never crash, hang
// or throw anything else (run under ASan too).
void expect_clean(const std::string& bytes) {
  try {
    decode_all_for_fuzzing(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  } catch (const Error&) {
  }
}
}  // namespace

TEST(ParquetRobustness, TruncatedFilesAreRejected) {
  std::string good = read_file(test::shared_path("data/parquet-testing/data/alltypes_plain.parquet"));
  for (size_t n = 0; n < good.size(); n += 7) {
    std::string cut = good.substr(0, n);
    EXPECT_THROW(decode_all_for_fuzzing(reinterpret_cast<const uint8_t*>(cut.data()), cut.size()), Error) << n;
  }
  try {
    ParquetFile::from_buffer(reinterpret_cast<const uint8_t*>(good.data()), good.size() - 1, "cut.parquet");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cut.parquet: not a parquet file"), std::string::npos) << e.what();
  }
}

TEST(ParquetRobustness, RandomByteFlipsNeverCrash) {
  for (const char* name : {"alltypes_plain.parquet", "alltypes_dictionary.parquet", "datapage_v2.snappy.parquet",
                           "delta_encoding_optional_column.parquet", "rle_boolean_encoding.parquet",
                           "byte_stream_split.zstd.parquet", "lz4_raw_compressed.parquet", "nulls.snappy.parquet"}) {
    std::string good = read_file(test::shared_path(std::string("data/parquet-testing/data/") + name));
    Rng rng(1234);
    for (int it = 0; it < 150; ++it) {
      std::string bad = good;
      int flips = 1 + int(rng.below(4));
      for (int k = 0; k < flips; ++k) bad[rng.below(bad.size())] = char(rng.below(256));
      expect_clean(bad);
    }
  }
}

TEST(ParquetBadInput, MissingFileWrongColumnAndNotParquet) {
  try {
    ParquetFile::open("/nonexistent/forget.parquet");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/forget.parquet: cannot open"), std::string::npos) << e.what();
  }
  auto f = ParquetFile::open(test::shared_path("data/semeval25/forget_validation-00000-of-00001.parquet"));
  try {
    f->read_all({"answer"});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("column 'answer' not found; columns are: id, input, output, task, split"),
              std::string::npos)
        << e.what();
  }
  std::string dir = test::temp_dir("pq_bad");
  write_file_atomic(dir + "/x.parquet", "PAR1 this is not parquet PAR1");
  EXPECT_THROW(ParquetFile::open(dir + "/x.parquet"), Error);
}
