// Shared by both fuzz builds: invariant checks, the scratch folder, the target registry.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "fuzz_target.h"
#include "fuzz_registry.h"

namespace libu::fuzz {

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}

namespace {
struct Scratch {
  std::string dir;
  Scratch() {
    const char* base = std::getenv("TMPDIR");
    dir = std::string(base && *base ? base : "/tmp") + "/libu-fuzz-" + std::to_string(getpid());
    std::filesystem::create_directories(dir);
  }
  ~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};
}  // namespace

const std::string& scratch_dir() {
  static Scratch s;
  return s.dir;
}

std::string scratch_file(const std::string& name, const uint8_t* data, size_t size) {
  const std::string path = scratch_dir() + "/" + name;
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(data), std::streamsize(size));
  f.close();
  check(bool(f), "the scratch file could not be written");
  return path;
}

std::string scratch_file(const std::string& name, const std::string& text) {
  return scratch_file(name, reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

std::map<std::string, Fn>& registry() {
  static std::map<std::string, Fn> r;
  return r;
}

Registrar::Registrar(const char* name, Fn fn) { registry()[name] = fn; }

}  // namespace libu::fuzz
