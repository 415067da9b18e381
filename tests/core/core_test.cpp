#include <gtest/gtest.h>

#include "common/shared.h"
#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/core/rng.h"

using namespace libu;

TEST(Error, CarriesHintAndContext) {
  try {
    fail("model.safetensors: tensor 'x': bad shape", "re-export the model");
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.hint(), "re-export the model");
    Error c = e.with_context("loading");
    EXPECT_EQ(c.message(), "loading: model.safetensors: tensor 'x': bad shape");
    EXPECT_NE(std::string(c.what()).find("hint: re-export"), std::string::npos);
  }
}

TEST(Rng, DeterministicAndStateRestores) {
  Rng a(42), b(42);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(a.next_u64(), b.next_u64());
  auto st = a.state();
  uint64_t x = a.next_u64();
  a.set_state(st);
  EXPECT_EQ(a.next_u64(), x);
  auto p = Rng(7).permutation(100);
  std::vector<int64_t> sorted = p;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 100; ++i) EXPECT_EQ(sorted[i], i);
  EXPECT_NE(p, sorted);
}

TEST(Fs, AtomicWriteRoundTrip) {
  std::string d = test::temp_dir("fs");
  write_file_atomic(d + "/a.txt", "hello");
  EXPECT_EQ(read_file(d + "/a.txt"), "hello");
  EXPECT_THROW(read_file(d + "/missing.txt"), Error);
}

TEST(Shared, FolderIsPresent) { EXPECT_TRUE(path_exists(test::shared_path("README.md"))); }
