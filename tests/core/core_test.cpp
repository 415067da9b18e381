#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

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

// What a killed run leaves (docs/hardening.md): libu's own temporaries of a dead process go,
// a live process's stay, and a user's files with similar names are never touched.
TEST(Fs, RemoveStaleTemporariesTakesOnlyLibuLeftovers) {
  namespace fsys = std::filesystem;
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);  // a pid whose process is gone
  const std::string dead = std::to_string(child), live = std::to_string(::getppid());
  const std::string d = test::temp_dir("stale");
  auto touch = [&](const std::string& rel) {
    fsys::create_directories(fsys::path(d + "/" + rel).parent_path());
    write_file_atomic(d + "/" + rel, "x");
  };
  const std::vector<std::string> gone = {"run.json.tmp-" + dead, "model.tmp-" + dead + "/model.safetensors",
                                         "adapter/adapter_model.safetensors.tmp-" + dead, "model.old-" + dead + "/a",
                                         "checkpoints/step-4.tmp/state.json", ".libu-write-test-" + dead};
  const std::vector<std::string> kept = {"metrics.json.tmp-" + live, "notes.tmp-" + dead, "user.bin.tmp-" + dead,
                                         "checkpoints/step-2/state.json", "data/step-4.tmp", "run.json"};
  for (auto& f : gone) touch(f);
  for (auto& f : kept) touch(f);
  EXPECT_EQ(remove_stale_temporaries(d), 6);
  for (auto& f : gone) EXPECT_FALSE(fsys::exists(d + "/" + f)) << f;
  for (auto& f : kept) EXPECT_TRUE(fsys::exists(d + "/" + f)) << f;
  EXPECT_FALSE(fsys::exists(d + "/model.tmp-" + dead));
  EXPECT_FALSE(fsys::exists(d + "/checkpoints/step-4.tmp"));
}
