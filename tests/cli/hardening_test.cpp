// Hostile environment (issue #15, part): an unwritable --out fails before any work, a full disk
// (RLIMIT_FSIZE in a child) gives a clear error with no partial file under a final name, the
// input model folder is never modified, and NaN weights are reported at load.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "cli/child.h"
#include "cli/tiny_world.h"
#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/model/tensor_io.h"

using namespace libu;
namespace fsys = std::filesystem;

namespace {

const test::TinyWorld& hostile_world() { return test::tiny_world_once("hardening"); }

// path -> (size, content hash, mtime) of every file under dir.
std::map<std::string, std::string> fingerprint(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (auto& e : fsys::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    auto data = read_file(e.path().string());
    out[e.path().string()] = cat(data.size(), ":", std::hash<std::string>()(data), ":",
                                 e.last_write_time().time_since_epoch().count());
  }
  return out;
}

std::pair<int, std::string> run_child(const std::vector<std::string>& args, rlim_t fsize_limit,
                                      const std::string& log) {
  test::ChildOptions co;
  co.fsize_limit = fsize_limit;
  return test::run_libu_child(args, log, co);
}

std::vector<std::string> unlearn_args(const std::string& out) {
  const auto& w = hostile_world();
  return {"unlearn", "--model", w.model, "--forget", w.data + "/forget.jsonl", "--retain", w.data + "/retain.jsonl",
          "--out", out, "--dtype", "fp32", "--batch-size", "4", "--max-steps", "2", "--threads", "1"};
}

}  // namespace

TEST(Hostile, UnwritableOutFailsBeforeAnyWork) {
  const auto& w = hostile_world();
  std::string file = w.dir + "/a-file";
  write_file_atomic(file, "x");
  for (std::string out : {std::string("/proc/libu-cannot-write-here"), file + "/out"}) {
    auto [rc, log] = run_child(unlearn_args(out), 0, w.dir + "/unwritable.log");
    EXPECT_EQ(rc, 1) << log;
    EXPECT_NE(log.find("--out " + out), std::string::npos) << log;
    EXPECT_EQ(log.find("forget: "), std::string::npos) << "data was read before the check:\n" << log;
  }
}

// The merged model (several MB) cannot be written under a 1 MB file-size limit: exit 1 with a
// clear error; metrics.jsonl and the adapter (written before) stay intact; no model file.
TEST(Hostile, FullDiskGivesAClearErrorAndNoPartialFile) {
  const auto& w = hostile_world();
  std::string out = w.dir + "/fsize";
  auto [rc, log] = run_child(unlearn_args(out), 1 << 20, w.dir + "/fsize.log");
  EXPECT_EQ(rc, 1) << log;
  EXPECT_NE(log.find("write failed"), std::string::npos) << log;
  EXPECT_NE(log.find("File too large"), std::string::npos) << log;
  EXPECT_FALSE(fsys::exists(out + "/model/model.safetensors"));
  EXPECT_FALSE(fsys::exists(out + "/model"));
  EXPECT_TRUE(fsys::exists(out + "/adapter/adapter_model.safetensors"));
  EXPECT_NO_THROW(model::read_tensors(out + "/adapter/adapter_model.safetensors"));
  for (auto& e : fsys::recursive_directory_iterator(out))
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
}

TEST(Hostile, InputModelFolderIsNeverModified) {
  const auto& w = hostile_world();
  auto before = fingerprint(w.model);
  ASSERT_FALSE(before.empty());
  std::string out = w.dir + "/untouched";
  auto args = unlearn_args(out);
  args.insert(args.end(), {"--checkpoint-every", "1"});
  auto [rc, log] = run_child(args, 0, w.dir + "/untouched.log");
  ASSERT_EQ(rc, 0) << log;
  auto [rc2, log2] = run_child({"eval", "run", "--model", w.model, "--adapter", out + "/adapter", "--forget",
                                w.data + "/forget.jsonl", "--retain", w.data + "/retain.jsonl", "--limit", "4",
                                "--max-new-tokens", "4", "--dtype", "fp32", "--threads", "1", "--out", out + "/eval"},
                               0, w.dir + "/untouched-eval.log");
  ASSERT_EQ(rc2, 0) << log2;
  EXPECT_EQ(fingerprint(w.model), before);
}

TEST(Hostile, NanWeightsAreReportedNotCrashed) {
  const auto& w = hostile_world();
  std::string bad = w.dir + "/nan-model";
  fsys::remove_all(bad);
  fsys::copy(w.model, bad, fsys::copy_options::recursive);
  auto ts = model::read_tensors(bad + "/model.safetensors");
  std::string victim = "model.layers.1.mlp.up_proj.weight";
  ASSERT_TRUE(ts.count(victim));
  ts[victim] = ts[victim].clone();
  ts[victim].view(-1)[7] = std::nan("");
  model::write_tensors(bad + "/model.safetensors", ts);
  auto [rc, log] = run_child({"eval", "run", "--model", bad, "--forget", w.data + "/forget.jsonl", "--retain",
                              w.data + "/retain.jsonl", "--limit", "2", "--max-new-tokens", "2", "--threads", "1",
                              "--out", w.dir + "/nan-eval"},
                             0, w.dir + "/nan.log");
  EXPECT_EQ(rc, 1) << log;
  EXPECT_NE(log.find(victim), std::string::npos) << log;
  EXPECT_NE(log.find("NaN/Inf"), std::string::npos) << log;
}
