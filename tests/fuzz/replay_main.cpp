// fuzz_replay TARGET PATH... — runs every file under the PATHs (files or folders, sorted)
// through a fuzz target without libFuzzer, so ctest replays the corpus and every past
// crash on each run (tests/fuzz/CMakeLists.txt). Exit 0 when every input is handled;
// a crash names the input that caused it.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "fuzz_registry.h"

namespace fs = std::filesystem;

static char g_current[4096];

static void on_fatal(int sig) {
  const char msg[] = "fuzz_replay: fatal signal while replaying ";
  ssize_t w = write(2, msg, sizeof msg - 1);
  w = write(2, g_current, strlen(g_current));
  w = write(2, "\n", 1);
  (void)w;
  signal(sig, SIG_DFL);
  raise(sig);
}

static std::vector<fs::path> inputs(const std::vector<std::string>& roots) {
  std::vector<fs::path> files;
  for (auto& r : roots) {
    if (fs::is_regular_file(r)) {
      files.push_back(r);
    } else if (fs::is_directory(r)) {
      for (auto& e : fs::recursive_directory_iterator(r))
        if (e.is_regular_file()) files.push_back(e.path());
    } else {
      std::fprintf(stderr, "fuzz_replay: %s: no such file or folder\n", r.c_str());
      std::exit(2);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

int main(int argc, char** argv) {
  auto& reg = libu::fuzz::registry();
  if (argc < 3 || !reg.count(argv[1])) {
    std::fprintf(stderr, "usage: fuzz_replay TARGET PATH...\ntargets:");
    for (auto& [name, fn] : reg) std::fprintf(stderr, " %s", name.c_str());
    std::fprintf(stderr, "\n");
    return 2;
  }
  for (int sig : {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL}) signal(sig, on_fatal);
  auto fn = reg.at(argv[1]);
  auto files = inputs(std::vector<std::string>(argv + 2, argv + argc));
  if (files.empty()) {
    std::fprintf(stderr, "fuzz_replay %s: no inputs (the corpus folder is empty)\n", argv[1]);
    return 1;
  }
  int failures = 0;
  for (auto& f : files) {
    std::snprintf(g_current, sizeof g_current, "%s", f.c_str());
    std::ifstream in(f, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    try {
      libu::fuzz::run_guarded(fn, bytes.data(), bytes.size());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "FAIL %s: uncaught %s\n", f.c_str(), e.what());
      ++failures;
    } catch (...) {
      std::fprintf(stderr, "FAIL %s: uncaught non-standard exception\n", f.c_str());
      ++failures;
    }
  }
  std::printf("fuzz_replay %s: %zu inputs, %d failures\n", argv[1], files.size(), failures);
  return failures ? 1 : 0;
}
