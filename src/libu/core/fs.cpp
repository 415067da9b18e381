#include "libu/core/fs.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "libu/core/error.h"

namespace libu {

namespace fsys = std::filesystem;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(cat(path, ": cannot open file: ", std::strerror(errno)), "check the path");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file_atomic(const std::string& path, const std::string& data) {
  std::string tmp = cat(path, ".tmp-", getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) fail(cat(tmp, ": cannot create file: ", std::strerror(errno)),
                   "check that the folder exists and is writable");
    out.write(data.data(), std::streamsize(data.size()));
    out.flush();
    if (!out) {
      int e = errno;
      out.close();
      std::error_code ec;
      fsys::remove(tmp, ec);  // never leave a partial file behind
      fail(cat(path, ": write failed: ", std::strerror(e)), "check the free disk space (and ulimit -f)");
    }
  }
  std::error_code ec;
  fsys::rename(tmp, path, ec);
  if (ec) {
    fsys::remove(tmp, ec);
    fail(cat(path, ": cannot rename temporary file into place"));
  }
}

bool path_exists(const std::string& path) { return fsys::exists(path); }
bool is_directory(const std::string& path) { return fsys::is_directory(path); }

void make_dirs(const std::string& path) {
  std::error_code ec;
  fsys::create_directories(path, ec);
  if (ec) fail(cat(path, ": cannot create directory: ", ec.message()));
}

void require_writable_dir(const std::string& path, const std::string& flag) {
  std::error_code ec;
  fsys::create_directories(path, ec);
  if (ec) fail(cat(flag, " ", path, ": cannot create the folder: ", ec.message()), "choose a folder you can write to");
  std::string probe = cat(path, "/.libu-write-test-", getpid());
  {
    std::ofstream out(probe, std::ios::binary | std::ios::trunc);
    out << "ok";
    out.flush();
    if (!out) {
      int e = errno;
      fsys::remove(probe, ec);
      fail(cat(flag, " ", path, ": not writable (", std::strerror(e), ")"), "choose a folder you can write to");
    }
  }
  fsys::remove(probe, ec);
}

}  // namespace libu
