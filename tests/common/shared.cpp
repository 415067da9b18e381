#include "common/shared.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace libu::test {

std::string source_root() { return LIBU_SOURCE_ROOT; }

std::string shared_dir() {
  // LIBU_SHARED_DIR: a copy of the references elsewhere (scripts/gpu-check.sh on a machine
  // that has only the repository and the files it carried).
  const char* env = std::getenv("LIBU_SHARED_DIR");
  std::filesystem::path p = env && *env ? std::filesystem::path(env)
                                        : std::filesystem::path(LIBU_SOURCE_ROOT) / ".." / "shared";
  if (!std::filesystem::is_directory(p))
    throw std::runtime_error("the outside references folder " + p.string() +
                             " is missing; tests need ../shared next to the repository");
  return std::filesystem::canonical(p).string();
}

std::string shared_path(const std::string& rel) { return shared_dir() + "/" + rel; }

std::string temp_dir(const std::string& name) {
  auto p = std::filesystem::temp_directory_path() /
           ("libu-test-" + std::to_string(getpid()) + "-" + name);
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p.string();
}

}  // namespace libu::test
