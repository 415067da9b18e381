// kill -9 at any moment (issue #15). `libu unlearn --checkpoint-every 2` runs as a child and
// is SIGKILLed, either at a seeded random time or at a named point inside a write
// (LIBU_KILL_AT, core/kill_point.h): a checkpoint with some files written, a checkpoint
// complete but not renamed, a safetensors file or a JSON file half-written, OUT/model
// complete but not renamed. After each kill no file under a final name is damaged; then
// `--resume` finishes, and its adapter and merged model are byte for byte those of an
// uninterrupted run, and metrics.jsonl lists each step once, as the uninterrupted run's does.
// One case also damages the newest checkpoint before resuming: it must be
// skipped with a warning in favour of the one before.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/child.h"
#include "cli/tiny_world.h"
#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/io/safetensors.h"

using namespace libu;
namespace fsys = std::filesystem;

namespace {

const test::TinyWorld& kill_world() { return test::tiny_world_once("kill"); }

// Phase 1, Sophia, LoRA dropout (RNG state), validation and best-checkpoint files: every
// kind of state a resume must restore.
std::vector<std::string> kill_args(const std::string& out) {
  const auto& w = kill_world();
  return {"unlearn", "--model", w.model, "--forget", w.data + "/forget.jsonl", "--retain", w.data + "/retain.jsonl",
          "--val-forget", w.data + "/val_forget.jsonl", "--val-retain", w.data + "/val_retain.jsonl",
          "--out", out, "--dtype", "fp32", "--batch-size", "2", "--max-steps", "8", "--checkpoint-every", "2",
          "--lora-dropout", "0.1", "--seed", "3", "--threads", "1", "--quiet"};
}

bool is_temporary(const fsys::path& p) {
  const std::string s = p.string();
  return s.find(".tmp") != std::string::npos || s.find(".old-") != std::string::npos;
}

// Every file under a final name is whole: safetensors open, JSON and JSONL parse, and each
// checkpoint folder holds all its files.
void expect_no_damaged_final_file(const std::string& out, const std::string& when) {
  for (auto& e : fsys::recursive_directory_iterator(out)) {
    const fsys::path p = e.path();
    if (!e.is_regular_file() || is_temporary(p)) continue;
    const std::string ext = p.extension().string();
    if (ext == ".safetensors") {
      EXPECT_NO_THROW(io::SafetensorsFile::open(p.string())) << when << ": " << p;
    } else if (ext == ".json") {
      EXPECT_NO_THROW((void)nlohmann::json::parse(read_file(p.string()))) << when << ": " << p;
    } else if (ext == ".jsonl") {
      std::istringstream lines(read_file(p.string()));
      for (std::string line; std::getline(lines, line);)
        if (!line.empty()) EXPECT_NO_THROW((void)nlohmann::json::parse(line)) << when << ": " << p;
    }
  }
  std::error_code ec;
  for (auto& e : fsys::directory_iterator(out + "/checkpoints", ec)) {
    if (is_temporary(e.path())) continue;
    for (const char* f : {"state.json", "optimizer.safetensors", "rng.safetensors"})
      EXPECT_TRUE(fsys::exists(e.path() / f)) << when << ": " << e.path() << " lacks " << f;
  }
}

// The outputs compared byte for byte.
std::vector<std::string> final_files(const std::string& out) {
  return {read_file(out + "/adapter/adapter_model.safetensors"), read_file(out + "/model/model.safetensors")};
}

// The step of every metrics.jsonl line, in order ("v" + step for validation lines).
std::vector<std::string> metric_steps(const std::string& out) {
  std::vector<std::string> steps;
  std::istringstream lines(read_file(out + "/metrics.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line);
    steps.push_back(j.contains("validation") ? "v" + j["validation"]["step"].dump() : j["step"].dump());
  }
  return steps;
}

struct Reference {
  std::vector<std::string> files;
  std::vector<std::string> steps;  // metric_steps of the uninterrupted run
  double seconds = 0;
};

const Reference& reference() {
  static Reference r = [] {
    Reference ref;
    const std::string out = test::temp_dir("kill-reference");
    auto t0 = std::chrono::steady_clock::now();
    auto [rc, log] = test::run_libu_child(kill_args(out), out + ".log");
    ref.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (rc != 0) throw std::runtime_error("the uninterrupted run failed:\n" + log);
    ref.files = final_files(out);
    ref.steps = metric_steps(out);
    return ref;
  }();
  return r;
}

struct KillCase {
  std::string name;
  std::string kill_at;     // LIBU_KILL_AT, or "" for a timed kill
  int random_draw = 0;     // timed kill: which draw of the seeded generator
  bool damage_newest = false;
};

std::ostream& operator<<(std::ostream& os, const KillCase& k) { return os << k.name; }

class KillNine : public ::testing::TestWithParam<KillCase> {};

// A delay in [0.05, 0.95] of the uninterrupted run's time, from a fixed seed.
double timed_delay(int draw) {
  std::mt19937 gen(20261130);
  std::uniform_real_distribution<double> u(0.05, 0.95);
  double f = 0;
  for (int i = 0; i <= draw; ++i) f = u(gen);
  return f * reference().seconds;
}

// Truncates the newest complete checkpoint's adapter to half its length.
int64_t damage_newest_checkpoint(const std::string& out) {
  int64_t newest = -1;
  std::error_code ec;
  for (auto& e : fsys::directory_iterator(out + "/checkpoints", ec)) {
    const std::string n = e.path().filename().string();
    if (!is_temporary(e.path()) && n.rfind("step-", 0) == 0) newest = std::max<int64_t>(newest, std::stoll(n.substr(5)));
  }
  if (newest < 0) return newest;
  for (auto& e : fsys::recursive_directory_iterator(cat(out, "/checkpoints/step-", newest)))
    if (e.path().filename() == "adapter_model.safetensors") fsys::resize_file(e.path(), fsys::file_size(e.path()) / 2);
  return newest;
}

}  // namespace

TEST_P(KillNine, ResumeGivesTheSameBytesAndNothingHalfWrittenIsLeft) {
  const KillCase& k = GetParam();
  const Reference& ref = reference();
  const std::string out = test::temp_dir("kill-" + k.name);
  test::ChildOptions co;
  if (!k.kill_at.empty()) co.env.push_back({"LIBU_KILL_AT", k.kill_at});
  const pid_t pid = test::spawn_libu(kill_args(out), out + ".killed.log", co);
  if (k.kill_at.empty()) {
    std::this_thread::sleep_for(std::chrono::duration<double>(timed_delay(k.random_draw)));
    ::kill(pid, SIGKILL);
  }
  const int rc = test::wait_child(pid);
  if (!k.kill_at.empty()) ASSERT_EQ(rc, 128 + SIGKILL) << "kill point " << k.kill_at << " was not reached:\n"
                                                       << read_file(out + ".killed.log");
  expect_no_damaged_final_file(out, "after the kill");

  if (k.damage_newest) ASSERT_GE(damage_newest_checkpoint(out), 2) << "no checkpoint to damage";
  auto args = kill_args(out);
  args.push_back("--resume");
  args.erase(std::find(args.begin(), args.end(), "--quiet"));
  auto [rc2, log] = test::run_libu_child(args, out + ".resumed.log");
  ASSERT_EQ(rc2, 0) << log;
  if (k.damage_newest) EXPECT_NE(log.find("is damaged"), std::string::npos) << log;
  expect_no_damaged_final_file(out, "after the resume");
  for (auto& e : fsys::recursive_directory_iterator(out)) EXPECT_FALSE(is_temporary(e.path())) << "left over: " << e.path();
  const auto got = final_files(out);
  EXPECT_TRUE(got[0] == ref.files[0]) << "the resumed adapter differs from the uninterrupted run's";
  EXPECT_TRUE(got[1] == ref.files[1]) << "the resumed merged model differs from the uninterrupted run's";
  // Steps logged before the kill and replayed after it appear once (trim_metrics).
  EXPECT_EQ(metric_steps(out), ref.steps);
}

INSTANTIATE_TEST_SUITE_P(
    Points, KillNine,
    ::testing::Values(KillCase{"timed0", "", 0}, KillCase{"timed1", "", 1}, KillCase{"timed2", "", 2},
                      KillCase{"checkpoint_files", "checkpoint:2"}, KillCase{"checkpoint_rename", "checkpoint-rename:3"},
                      KillCase{"safetensors_half", "safetensors:6"}, KillCase{"json_half", "atomic-write:4"},
                      KillCase{"model_unrenamed", "model"},
                      KillCase{"damaged_newest_checkpoint", "checkpoint-rename:4", 0, true}),
    [](const ::testing::TestParamInfo<KillCase>& i) { return i.param.name; });
