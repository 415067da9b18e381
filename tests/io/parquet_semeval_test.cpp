// The SemEval-2025 Task 4 parquet files (HF datasets, parquet-cpp-arrow 16.1.0, SNAPPY,
// dictionary pages, 2 row groups in the train files).
#include <gtest/gtest.h>

#include "common/shared.h"
#include "libu/core/error.h"
#include "libu/io/parquet/reader.h"

using namespace libu;
using namespace libu::io::parquet;

namespace {
std::string semeval(const std::string& f) { return test::shared_path("data/semeval25/" + f); }
}  // namespace

TEST(ParquetSemeval, RowCountsAndColumns) {
  struct C { const char* file; int64_t rows; };
  for (C c : {C{"forget_train-00000-of-00001.parquet", 1112}, C{"retain_train-00000-of-00001.parquet", 1136},
              C{"forget_validation-00000-of-00001.parquet", 254}, C{"retain_validation-00000-of-00001.parquet", 278}}) {
    auto f = ParquetFile::open(semeval(c.file));
    EXPECT_EQ(f->num_rows(), c.rows) << c.file;
    EXPECT_EQ(f->column_names(), (std::vector<std::string>{"id", "input", "output", "task", "split"})) << c.file;
    Table t = f->read_all();
    ASSERT_EQ(t.num_rows, size_t(c.rows));
    size_t streamed = 0;
    for (int rg = 0; rg < f->num_row_groups(); ++rg) streamed += f->read_row_group(rg, {"id"}).num_rows;
    EXPECT_EQ(streamed, size_t(c.rows));
    for (size_t r = 0; r < t.num_rows; ++r)
      for (size_t col = 0; col < 5; ++col) ASSERT_TRUE(t.string_at(col, r).has_value()) << c.file << " row " << r;
    for (auto& ci : f->columns()) EXPECT_TRUE(ci.is_string()) << ci.name;
  }
}

TEST(ParquetSemeval, TrainFilesHaveTwoRowGroupsAndDictionaryPages) {
  auto f = ParquetFile::open(semeval("forget_train-00000-of-00001.parquet"));
  EXPECT_EQ(f->num_row_groups(), 2);
  auto& m = f->metadata().row_groups[0].columns[0].meta_data;
  EXPECT_EQ(m.codec, Codec::SNAPPY);
  bool dict = false;
  for (auto e : m.encodings) dict |= e == Encoding::RLE_DICTIONARY;
  EXPECT_TRUE(dict);
}

TEST(ParquetSemeval, IdsWithQuotesArePreservedAndTasksAreKnown) {
  size_t quoted = 0;
  for (const char* file : {"forget_train-00000-of-00001.parquet", "retain_train-00000-of-00001.parquet"}) {
    auto f = ParquetFile::open(semeval(file));
    Table t = f->read_all({"id", "task", "split"});
    for (size_t r = 0; r < t.num_rows; ++r) {
      std::string id = *t.string_at(0, r), task = *t.string_at(1, r);
      quoted += id.find('"') != std::string::npos;
      EXPECT_TRUE(task == "Task1" || task == "Task2" || task == "Task3") << task;
      // Row type suffix: sc<digit> or qa<digit> (docs/eval.md).
      ASSERT_GE(id.size(), 3u);
      std::string suf = id.substr(id.size() - 3, 2);
      EXPECT_TRUE(suf == "sc" || suf == "qa") << id;
    }
    EXPECT_EQ(*t.string_at(2, 0), std::string(file).substr(0, 6)) << "split column";
  }
  EXPECT_GT(quoted, 0u) << "expected some ids containing '\"'";
}
