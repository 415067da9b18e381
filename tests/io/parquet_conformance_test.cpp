// Parquet conformance: one row per file of apache/parquet-testing (../shared), each either
// read with its values checked (against *_expect.csv, the .md files and the README) or
// rejected with a specific message. bad_data/ files must be rejected cleanly.
#include <gtest/gtest.h>

#include <dirent.h>

#include <cmath>
#include <functional>
#include <map>
#include <set>

#include "common/shared.h"
#include "libu/core/error.h"
#include "libu/io/csv.h"
#include "libu/io/parquet/reader.h"

using namespace libu;
using namespace libu::io::parquet;

namespace {

std::string data_path(const std::string& f) { return test::shared_path("data/parquet-testing/data/" + f); }
std::string bad_path(const std::string& f) { return test::shared_path("data/parquet-testing/bad_data/" + f); }

std::vector<std::string> flat_columns(const ParquetFile& f) {
  std::vector<std::string> n;
  for (auto& c : f.columns())
    if (!c.nested()) n.push_back(c.name);
  return n;
}

// Column `name` of the whole file as strings ("<null>" for nulls).
std::vector<std::string> strings(const ParquetFile& f, const std::string& name) {
  Table t = f.read_all({name});
  std::vector<std::string> out;
  for (size_t r = 0; r < t.num_rows; ++r) out.push_back(t.string_at(0, r).value_or("<null>"));
  return out;
}

std::vector<std::string> seq(std::initializer_list<const char*> v) { return {v.begin(), v.end()}; }

// Every column of a and b (same names) is equal, value by value.
void expect_same_tables(const ParquetFile& a, const ParquetFile& b) {
  ASSERT_EQ(a.column_names(), b.column_names());
  for (auto& n : flat_columns(a)) EXPECT_EQ(strings(a, n), strings(b, n)) << "column " << n;
}

// Compares every column (by position) with a parquet-testing *_expect.csv: an unquoted
// empty field is a null.
void expect_matches_csv(const ParquetFile& f, const std::string& csv) {
  auto rows = io::read_csv(data_path(csv));
  ASSERT_GT(rows.size(), 1u);
  Table t = f.read_all();
  ASSERT_EQ(t.num_rows, rows.size() - 1) << csv;
  ASSERT_EQ(t.columns.size(), rows[0].size()) << csv;
  size_t mismatches = 0;
  for (size_t r = 0; r < t.num_rows; ++r)
    for (size_t c = 0; c < t.columns.size(); ++c) {
      const std::string& want = rows[r + 1][c];
      auto got = t.string_at(c, r);
      bool ok = want.empty() ? (!got || got->empty()) : (got && *got == want);
      if (!ok && ++mismatches <= 5)
        ADD_FAILURE() << csv << " row " << r << " column " << t.columns[c].name << ": expected '" << want
                      << "', got " << (got ? "'" + *got + "'" : "null");
    }
  EXPECT_EQ(mismatches, 0u);
}

struct Case {
  std::string file;
  std::function<void(const ParquetFile&)> check;  // set: must read, values checked
  std::string reject;                              // set: opening/reading raises this
};

void read_everything(const ParquetFile& f) {
  for (int rg = 0; rg < f.num_row_groups(); ++rg) f.read_row_group(rg);
}

std::vector<Case> data_cases() {
  const std::string nested = "unsupported: nested column";
  auto lz4_small = [](const ParquetFile& f) {
    ASSERT_EQ(f.num_rows(), 4);
    EXPECT_EQ(strings(f, "c0"), seq({"1593604800", "1593604800", "1593604801", "1593604801"}));
    EXPECT_EQ(strings(f, "c1"), seq({"abc", "def", "abc", "def"}));
    Table t = f.read_all({"v11"});
    std::vector<double> want = {42.0, 7.7, 42.125, 7.7};
    for (size_t r = 0; r < 4; ++r) EXPECT_DOUBLE_EQ(*t.double_at(0, r), want[r]);
  };
  auto lz4_larger = [](const ParquetFile& f) {
    auto a = strings(f, "a");
    ASSERT_EQ(a.size(), 10000u);
    EXPECT_EQ(a[0], "c7ce6bef-d5b0-4863-b199-8ea8c7fb117b");
    auto other = ParquetFile::open(data_path("lz4_raw_compressed_larger.parquet"));
    EXPECT_EQ(a, strings(*other, "a"));
  };
  auto decimals = [](const ParquetFile& f) {
    auto v = strings(f, "value");
    ASSERT_EQ(v.size(), 24u);
    for (size_t i = 0; i < 24; ++i) EXPECT_EQ(v[i], std::to_string(i + 1) + ".00");
    Table t = f.read_all({"value"});
    EXPECT_DOUBLE_EQ(*t.double_at(0, 23), 24.0);
  };
  auto bloom_strings = [](const ParquetFile& f) {
    EXPECT_EQ(strings(f, "String"), seq({"Hello", "This is", "a", "test", "How", "are you", "doing ", "today", "the quick",
                                         "brown fox", "jumps", "over", "the lazy", "dog"}));
  };
  // One-level list columns read (every row an array or null); deeper nesting is rejected by name.
  auto nested_only = [nested](const ParquetFile& f) {
    for (const auto& c : f.columns()) {
      if (!c.nested()) continue;
      try {
        Table t = f.read_all({c.name});
        EXPECT_TRUE(c.list()) << c.name << " (max_rep " << c.max_rep << ") must be rejected";
        EXPECT_EQ(int64_t(t.num_rows), f.num_rows()) << c.name;
        for (size_t r = 0; r < t.num_rows; ++r) {
          auto j = value_to_json(t.columns[0], t.data[0], r);
          EXPECT_TRUE(j.is_array() || j.is_null()) << c.name << " row " << r;
        }
      } catch (const Error& e) {
        EXPECT_FALSE(c.list()) << c.name << ": " << e.what();
        EXPECT_NE(std::string(e.what()).find(nested), std::string::npos) << e.what();
      }
    }
  };
  auto checksum_pair = [](const ParquetFile& f) {
    ASSERT_EQ(f.num_rows(), 5120);
    auto a = strings(f, "a");
    EXPECT_EQ(a[0], "50462976");  // bytes 00 01 02 03
    auto other = ParquetFile::open(data_path("datapage_v1-uncompressed-checksum.parquet"));
    expect_same_tables(f, *other);
  };
  auto dict_checksum = [](const ParquetFile& f) {
    ASSERT_EQ(f.num_rows(), 1000);
    Table t = f.read_all();
    EXPECT_EQ(t.data[0].size(), 1000u);
    EXPECT_EQ(t.string_at(0, 0).value(), "0");
    EXPECT_EQ(t.string_at(1, 0).value().size(), 36u);  // a UUID string
  };

  std::vector<Case> c;
  c.push_back({"alltypes_plain.parquet", [](const ParquetFile& f) {
    ASSERT_EQ(f.num_rows(), 8);
    EXPECT_EQ(strings(f, "id"), seq({"4", "5", "6", "7", "2", "3", "0", "1"}));
    EXPECT_EQ(strings(f, "bool_col"), seq({"true", "false", "true", "false", "true", "false", "true", "false"}));
    EXPECT_EQ(strings(f, "tinyint_col"), seq({"0", "1", "0", "1", "0", "1", "0", "1"}));
    EXPECT_EQ(strings(f, "bigint_col"), seq({"0", "10", "0", "10", "0", "10", "0", "10"}));
    EXPECT_EQ(strings(f, "double_col"), seq({"0.0", "10.1", "0.0", "10.1", "0.0", "10.1", "0.0", "10.1"}));
    EXPECT_EQ(strings(f, "date_string_col"),
              seq({"03/01/09", "03/01/09", "04/01/09", "04/01/09", "02/01/09", "02/01/09", "01/01/09", "01/01/09"}));
    EXPECT_EQ(strings(f, "string_col"), seq({"0", "1", "0", "1", "0", "1", "0", "1"}));
    Table t = f.read_all({"timestamp_col", "float_col"});
    EXPECT_EQ(t.row_json(0)["timestamp_col"], int64_t(1235865600) * 1000000000);  // 2009-03-01T00:00:00Z
    EXPECT_FLOAT_EQ(float(*t.double_at(1, 1)), 1.1f);
  }, ""});
  c.push_back({"alltypes_plain.snappy.parquet", [](const ParquetFile& f) {
    EXPECT_EQ(strings(f, "id"), seq({"6", "7"}));
    auto plain = ParquetFile::open(data_path("alltypes_plain.parquet"));
    for (auto& n : flat_columns(f)) {
      auto all = strings(*plain, n);
      EXPECT_EQ(strings(f, n), std::vector<std::string>(all.begin() + 2, all.begin() + 4)) << n;
    }
  }, ""});
  c.push_back({"alltypes_dictionary.parquet", [](const ParquetFile& f) {
    EXPECT_EQ(strings(f, "id"), seq({"0", "1"}));
    EXPECT_EQ(strings(f, "string_col"), seq({"0", "1"}));
    EXPECT_EQ(strings(f, "bool_col"), seq({"true", "false"}));
    EXPECT_EQ(strings(f, "date_string_col"), seq({"01/01/09", "01/01/09"}));
  }, ""});
  c.push_back({"alltypes_tiny_pages.parquet", [](const ParquetFile& f) {
    ASSERT_EQ(f.num_rows(), 7300);
    auto plain = ParquetFile::open(data_path("alltypes_tiny_pages_plain.parquet"));
    expect_same_tables(f, *plain);
    auto id = strings(f, "id");
    EXPECT_EQ(std::set<std::string>(id.begin(), id.end()).size(), 7300u);
  }, ""});
  c.push_back({"alltypes_tiny_pages_plain.parquet", [](const ParquetFile& f) { ASSERT_EQ(f.num_rows(), 7300); read_everything(f); }, ""});
  c.push_back({"binary.parquet", [](const ParquetFile& f) {
    auto v = strings(f, "foo");
    ASSERT_EQ(v.size(), 12u);
    for (size_t i = 0; i < 12; ++i) EXPECT_EQ(v[i], std::string(1, char(i)));
  }, ""});
  c.push_back({"binary_truncated_min_max.parquet", [](const ParquetFile& f) {
    ASSERT_EQ(f.num_rows(), 12);
    Table t = f.read_all();
    for (size_t col = 0; col < t.columns.size(); ++col) EXPECT_EQ(t.string_at(col, 0).value(), "Blart Versenwald III");
    EXPECT_EQ(strings(f, "utf8_no_truncation")[1], "Al");
  }, ""});
  c.push_back({"bloom_filter.bin", nullptr, "not a parquet file"});
  c.push_back({"bloom_filter.xxhash.bin", nullptr, "not a parquet file"});
  c.push_back({"byte_array_decimal.parquet", decimals, ""});
  c.push_back({"byte_stream_split.zstd.parquet", [](const ParquetFile& f) {
    ASSERT_EQ(f.num_rows(), 300);
    Table t = f.read_all({"f32", "f64"});
    // numpy.random.seed(0); randn(): the first standard normals, stored as float32.
    std::vector<double> want = {1.764052345967664, 0.4001572083672233, 0.9787379841057392, 2.240893199201458};
    for (size_t r = 0; r < want.size(); ++r) EXPECT_FLOAT_EQ(float(*t.double_at(0, r)), float(want[r])) << r;
    for (size_t r = 0; r < 300; ++r) EXPECT_TRUE(std::isfinite(*t.double_at(1, r)));
  }, ""});
  c.push_back({"byte_stream_split_extended.gzip.parquet", [](const ParquetFile& f) {
    ASSERT_EQ(f.num_rows(), 200);
    for (const char* base : {"float16", "float", "double", "int32", "int64", "flba5", "decimal"})
      EXPECT_EQ(strings(f, std::string(base) + "_plain"), strings(f, std::string(base) + "_byte_stream_split")) << base;
    EXPECT_EQ(strings(f, "decimal_plain")[0], "1003.858");
  }, ""});
  c.push_back({"column_chunk_key_value_metadata.parquet", [](const ParquetFile& f) {
    EXPECT_EQ(f.num_rows(), 0);
    read_everything(f);
    auto& kv = f.metadata().row_groups.at(0).columns.at(0).meta_data.key_value_metadata;
    ASSERT_EQ(kv.size(), 2u);
    EXPECT_EQ(kv[0].key, "foo");
    EXPECT_EQ(kv[0].value.value_or("?"), "bar");
    EXPECT_EQ(kv[1].key, "thisiskeywithoutvalue");
    EXPECT_FALSE(kv[1].value.has_value());
  }, ""});
  c.push_back({"concatenated_gzip_members.parquet", [](const ParquetFile& f) {
    auto v = strings(f, "long_col");
    ASSERT_EQ(v.size(), 513u);
    for (size_t i = 0; i < 513; ++i) EXPECT_EQ(v[i], std::to_string(i + 1));
  }, ""});
  c.push_back({"data_index_bloom_encoding_stats.parquet", bloom_strings, ""});
  c.push_back({"data_index_bloom_encoding_with_length.parquet", bloom_strings, ""});
  c.push_back({"datapage_v1-corrupt-checksum.parquet", nullptr, "page checksum mismatch"});
  c.push_back({"datapage_v1-snappy-compressed-checksum.parquet", checksum_pair, ""});
  c.push_back({"datapage_v1-uncompressed-checksum.parquet", checksum_pair, ""});
  c.push_back({"datapage_v2.snappy.parquet", [nested_only](const ParquetFile& f) {
    EXPECT_EQ(strings(f, "a"), seq({"abc", "abc", "abc", "<null>", "abc"}));
    EXPECT_EQ(strings(f, "b"), seq({"1", "2", "3", "4", "5"}));
    EXPECT_EQ(strings(f, "c"), seq({"2.0", "3.0", "4.0", "5.0", "2.0"}));
    EXPECT_EQ(strings(f, "d"), seq({"true", "true", "true", "false", "true"}));
    // e: list<int32>; the values PyArrow reads (as asserted by other readers' test suites).
    EXPECT_EQ(strings(f, "e.list.element"), seq({"[1,2,3]", "<null>", "<null>", "[1,2,3]", "[1,2]"}));
    nested_only(f);
  }, ""});
  c.push_back({"datapage_v2_empty_datapage.snappy.parquet", [](const ParquetFile& f) {
    EXPECT_EQ(strings(f, "value"), seq({"<null>"}));
  }, ""});
  c.push_back({"delta_binary_packed.parquet", [](const ParquetFile& f) { expect_matches_csv(f, "delta_binary_packed_expect.csv"); }, ""});
  c.push_back({"delta_byte_array.parquet", [](const ParquetFile& f) { expect_matches_csv(f, "delta_byte_array_expect.csv"); }, ""});
  c.push_back({"delta_encoding_optional_column.parquet", [](const ParquetFile& f) { expect_matches_csv(f, "delta_encoding_optional_column_expect.csv"); }, ""});
  c.push_back({"delta_encoding_required_column.parquet", [](const ParquetFile& f) { expect_matches_csv(f, "delta_encoding_required_column_expect.csv"); }, ""});
  c.push_back({"delta_length_byte_array.parquet", [](const ParquetFile& f) {
    auto v = strings(f, "FRUIT");
    ASSERT_EQ(v.size(), 1000u);
    for (size_t i = 0; i < 1000; ++i) EXPECT_EQ(v[i], "apple_banana_mango" + std::to_string(i * i));
  }, ""});
  c.push_back({"dict-page-offset-zero.parquet", [](const ParquetFile& f) {
    EXPECT_EQ(strings(f, "l_partkey"), std::vector<std::string>(39, "1552"));
  }, ""});
  c.push_back({"fixed_length_byte_array.parquet", [](const ParquetFile& f) {
    Table t = f.read_all({"flba_field"});
    ASSERT_EQ(t.num_rows, 1000u);
    size_t nulls = 0;
    for (size_t r = 0; r < 1000; ++r) {
      auto v = t.string_at(0, r);
      if (!v) { ++nulls; continue; }
      ASSERT_EQ(v->size(), 4u);
      uint32_t x = uint32_t(uint8_t((*v)[0])) << 24 | uint32_t(uint8_t((*v)[1])) << 16 | uint32_t(uint8_t((*v)[2])) << 8 | uint8_t((*v)[3]);
      EXPECT_EQ(x, 1000 - r) << "row " << r;  // written in descending order
    }
    EXPECT_EQ(nulls, 105u);  // fixed_length_byte_array.md
  }, ""});
  c.push_back({"fixed_length_decimal.parquet", decimals, ""});
  c.push_back({"fixed_length_decimal_legacy.parquet", decimals, ""});
  c.push_back({"float16_nonzeros_and_nans.parquet", [](const ParquetFile& f) {
    EXPECT_EQ(strings(f, "x"), seq({"<null>", "1.0", "-2.0", "NaN", "0.0", "-1.0", "-0.0", "2.0"}));
  }, ""});
  c.push_back({"float16_zeros_and_nans.parquet", [](const ParquetFile& f) {
    EXPECT_EQ(strings(f, "x"), seq({"<null>", "0.0", "NaN"}));
  }, ""});
  c.push_back({"floating_orders_nan_count.parquet", [](const ParquetFile& f) {
    EXPECT_EQ(f.num_row_groups(), 5);
    Table t = f.read_all();
    EXPECT_EQ(t.num_rows, 50u);
    EXPECT_EQ(t.data[0].size(), 50u);
  }, ""});
  c.push_back({"hadoop_lz4_compressed.parquet", lz4_small, ""});
  c.push_back({"hadoop_lz4_compressed_larger.parquet", lz4_larger, ""});
  c.push_back({"incorrect_map_schema.parquet", nested_only, ""});
  c.push_back({"int32_decimal.parquet", decimals, ""});
  c.push_back({"int32_with_null_pages.parquet", [](const ParquetFile& f) {
    Table t = f.read_all({"int32_field"});
    ASSERT_EQ(t.num_rows, 1000u);
    size_t nulls = 0;
    for (size_t r = 0; r < 1000; ++r) nulls += !t.int_at(0, r).has_value();
    EXPECT_EQ(nulls, 275u);  // int32_with_null_pages.md
    for (size_t r = 200; r < 300; ++r) EXPECT_FALSE(t.int_at(0, r).has_value()) << "page 2 is all null, row " << r;
  }, ""});
  c.push_back({"int64_decimal.parquet", decimals, ""});
  c.push_back({"int96_from_spark.parquet", [](const ParquetFile& f) {
    // int96_from_spark.md, in microseconds; libu reports nanoseconds.
    EXPECT_EQ(strings(f, "a"), seq({"1704141296123456000", "1704070800000000000", "253402225200000000000",
                                    "1735599600000000000", "<null>", "9089380393200000000000"}));
  }, ""});
  c.push_back({"list_columns.parquet", [nested_only](const ParquetFile& f) {
    // PyArrow's reading of this file (asserted by other readers' test suites): a null element,
    // a null list, and lists of different lengths.
    EXPECT_EQ(strings(f, "int64_list.list.item"), seq({"[1,2,3]", "[null,1]", "[4]"}));
    EXPECT_EQ(strings(f, "utf8_list.list.item"), seq({R"(["abc","efg","hij"])", "<null>", R"(["efg",null,"hij","xyz"])"}));
    nested_only(f);
  }, ""});
  c.push_back({"lz4_raw_compressed.parquet", lz4_small, ""});
  c.push_back({"lz4_raw_compressed_larger.parquet", lz4_larger, ""});
  c.push_back({"map_no_value.parquet", [nested_only](const ParquetFile& f) {
    // map_no_value.md: three rows of keys 1-3, 4-6, 7-9, every map value null; my_list repeats the keys.
    EXPECT_EQ(strings(f, "my_list.list.element"), seq({"[1,2,3]", "[4,5,6]", "[7,8,9]"}));
    EXPECT_EQ(strings(f, "my_map.key_value.key"), seq({"[1,2,3]", "[4,5,6]", "[7,8,9]"}));
    EXPECT_EQ(strings(f, "my_map.key_value.value"), seq({"[null,null,null]", "[null,null,null]", "[null,null,null]"}));
    Table t = f.read_all({"my_list.list.element"});
    EXPECT_THROW(t.int_at(0, 0), Error);  // a list is not an integer
    nested_only(f);
  }, ""});
  c.push_back({"nan_in_stats.parquet", [](const ParquetFile& f) { EXPECT_EQ(strings(f, "x"), seq({"1.0", "NaN"})); }, ""});
  c.push_back({"nation.dict-malformed.parquet", nullptr, "runs past the column chunk"});
  c.push_back({"nested_lists.snappy.parquet", nested_only, ""});
  c.push_back({"nested_maps.snappy.parquet", nested_only, ""});
  c.push_back({"nested_structs.rust.parquet", [](const ParquetFile& f) {
    // Non-repeated structs: the leaves read as flat "a.b" columns.
    EXPECT_EQ(f.num_rows(), 1);
    Table t = f.read_all();
    EXPECT_EQ(t.columns[0].name, "roll_num.min");
    EXPECT_TRUE(t.int_at(0, 0).has_value());
  }, ""});
  c.push_back({"non_hadoop_lz4_compressed.parquet", lz4_small, ""});
  c.push_back({"nonnullable.impala.parquet", [nested_only](const ParquetFile& f) {
    EXPECT_EQ(strings(f, "ID"), seq({"8"}));
    EXPECT_EQ(strings(f, "nested_Struct.a"), seq({"-1"}));
    nested_only(f);
  }, ""});
  c.push_back({"null_list.parquet", [nested_only](const ParquetFile& f) {
    // The data README: written from {"emptylist":[]}: one row, an empty list (not null).
    ASSERT_EQ(f.columns().size(), 1u);
    EXPECT_EQ(strings(f, f.columns()[0].name), seq({"[]"}));
    nested_only(f);
  }, ""});
  c.push_back({"nullable.impala.parquet", [nested_only](const ParquetFile& f) {
    EXPECT_EQ(strings(f, "id"), seq({"1", "2", "3", "4", "5", "6", "7"}));
    // A list inside a struct: PyArrow's values (asserted by other readers' test suites).
    EXPECT_EQ(strings(f, "nested_struct.b.list.element"),
              seq({"[1]", "[null]", "<null>", "<null>", "<null>", "<null>", "[2,3,null]"}));
    nested_only(f);
  }, ""});
  c.push_back({"nulls.snappy.parquet", [](const ParquetFile& f) {
    EXPECT_EQ(strings(f, "b_struct.b_c_int"), std::vector<std::string>(8, "<null>"));
  }, ""});
  c.push_back({"old_list_structure.parquet", nested_only, ""});
  c.push_back({"overflow_i16_page_cnt.parquet", [](const ParquetFile& f) {
    Table t = f.read_all({"inc"});
    EXPECT_EQ(t.num_rows, 40000u);
  }, ""});
  c.push_back({"page_v2_empty_compressed.parquet", [](const ParquetFile& f) {
    EXPECT_EQ(strings(f, "integer_column"), std::vector<std::string>(10, "<null>"));
  }, ""});
  c.push_back({"plain-dict-uncompressed-checksum.parquet", dict_checksum, ""});
  c.push_back({"repeated_no_annotation.parquet", nested_only, ""});
  c.push_back({"repeated_primitive_no_list.parquet", nested_only, ""});
  c.push_back({"rle-dict-snappy-checksum.parquet", dict_checksum, ""});
  c.push_back({"rle-dict-uncompressed-corrupt-checksum.parquet", nullptr, "page checksum mismatch"});
  c.push_back({"rle_boolean_encoding.parquet", [](const ParquetFile& f) {
    auto v = strings(f, "datatype_boolean");
    ASSERT_EQ(v.size(), 68u);
    EXPECT_EQ(std::vector<std::string>(v.begin(), v.begin() + 3), seq({"true", "false", "<null>"}));
    auto plain_nulls = std::count(v.begin(), v.end(), "<null>");
    EXPECT_GT(plain_nulls, 0);
  }, ""});
  c.push_back({"single_nan.parquet", [](const ParquetFile& f) { EXPECT_EQ(strings(f, "mycol"), seq({"<null>"})); }, ""});
  c.push_back({"sort_columns.parquet", [](const ParquetFile& f) {
    EXPECT_EQ(f.num_row_groups(), 2);
    EXPECT_EQ(strings(f, "a"), seq({"<null>", "2", "1", "<null>", "2", "1"}));
    EXPECT_EQ(strings(f, "b"), seq({"a", "b", "c", "a", "b", "c"}));
  }, ""});
  c.push_back({"unknown-logical-type.parquet", [](const ParquetFile& f) {
    EXPECT_EQ(strings(f, "column with known type"), seq({"known string 1", "known string 2", "known string 3"}));
    EXPECT_EQ(strings(f, "column with unknown type"), seq({"unknown string 1", "unknown string 2", "unknown string 3"}));
  }, ""});
  return c;
}

void run_case(const std::string& path, const Case& c) {
  SCOPED_TRACE(path);
  if (c.check) {
    try {
      auto f = ParquetFile::open(path);
      c.check(*f);
    } catch (const Error& e) {
      ADD_FAILURE() << "expected to read, got: " << e.what();
    }
    return;
  }
  try {
    auto f = ParquetFile::open(path);
    read_everything(*f);
    ADD_FAILURE() << "expected rejection containing '" << c.reject << "'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(c.reject), std::string::npos)
        << "expected '" << c.reject << "' in: " << e.what();
    EXPECT_NE(std::string(e.what()).find(path.substr(path.rfind('/') + 1)), std::string::npos)
        << "the error must name the file: " << e.what();
  }
}

std::vector<std::string> list(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (!d) throw std::runtime_error("cannot list " + dir);
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == ".." || n.size() < 4) continue;
    auto ext = n.substr(n.rfind('.') + 1);
    if (ext == "md" || ext == "csv") continue;
    out.push_back(n);
  }
  closedir(d);
  return out;
}

}  // namespace

TEST(ParquetConformance, EveryDataFileHasARow) {
  std::set<std::string> table;
  for (auto& c : data_cases()) table.insert(c.file);
  std::string dir = test::shared_path("data/parquet-testing/data");
  for (auto& f : list(dir)) EXPECT_TRUE(table.count(f)) << "no conformance row for " << f;
}

TEST(ParquetConformance, DataFiles) {
  for (auto& c : data_cases()) run_case(data_path(c.file), c);
}

TEST(ParquetConformance, CorruptChecksumsCanBeSalvagedWithVerificationOff) {
  ReadOptions off;
  off.verify_checksums = false;
  auto f = ParquetFile::open(data_path("datapage_v1-corrupt-checksum.parquet"), off);
  Table t = f->read_all();
  EXPECT_EQ(t.num_rows, 5120u);
  auto g = ParquetFile::open(data_path("rle-dict-uncompressed-corrupt-checksum.parquet"), off);
  EXPECT_EQ(g->read_all().num_rows, 1000u);
}

TEST(ParquetConformance, BadDataIsRejectedCleanly) {
  // Expected message per file (docs/data.md explains each).
  std::map<std::string, std::string> expect = {
      {"ARROW-GH-41317.parquet", "corrupt thrift metadata"},
      {"ARROW-GH-41321.parquet", "corrupt page data"},
      {"ARROW-GH-45185.parquet", "starts in the middle of a list (repetition level 1)"},
      {"ARROW-GH-47662.parquet", "PLAIN data needs 100 values"},
      {"ARROW-RS-GH-6229-DICTHEADER.parquet", "corrupt thrift metadata"},
      {"ARROW-RS-GH-6229-LEVELS.parquet", "RLE/bit-packed data ends after 1 of 21 values"},
      {"PARQUET-1481.parquet", "unknown physical type"},
  };
  std::string dir = test::shared_path("data/parquet-testing/bad_data");
  for (auto& f : list(dir)) {
    if (f == "ARROW-GH-43605.parquet") continue;  // valid data, see below
    ASSERT_TRUE(expect.count(f)) << "no expectation for bad_data/" << f;
    run_case(bad_path(f), Case{f, nullptr, expect[f]});
  }
}

TEST(ParquetConformance, BitWidthZeroDictionaryIndicesDecode) {
  // bad_data/ARROW-GH-43605: a one-entry dictionary with RLE indices of bit width 0. This
  // is well-formed (every index is 0); Arrow crashed on it. libu decodes it.
  auto f = ParquetFile::open(bad_path("ARROW-GH-43605.parquet"));
  Table t = f->read_all();
  ASSERT_EQ(t.num_rows, 21186u);
  auto first = t.string_at(0, 0);
  for (size_t r = 0; r < t.num_rows; ++r) ASSERT_EQ(t.string_at(0, r), first) << r;
}
