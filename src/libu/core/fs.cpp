#include "libu/core/fs.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "libu/core/error.h"
#include "libu/core/kill_point.h"
#include "libu/core/log.h"

namespace libu {

namespace fsys = std::filesystem;

namespace {
std::string parent_or_dot(const std::string& path) {
  auto p = fsys::path(path).parent_path();
  return p.empty() ? std::string(".") : p.string();
}
}  // namespace

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
    const size_t half = data.size() / 2;
    out.write(data.data(), std::streamsize(half));
    out.flush();
    kill_point("atomic-write");
    out.write(data.data() + half, std::streamsize(data.size() - half));
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
  try {
    sync_path(tmp);
  } catch (...) {
    fsys::remove(tmp, ec);
    throw;
  }
  fsys::rename(tmp, path, ec);
  if (ec) {
    fsys::remove(tmp, ec);
    fail(cat(path, ": cannot rename temporary file into place"));
  }
  sync_path(parent_or_dot(path));
}

void sync_path(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(cat(path, ": cannot open to sync: ", std::strerror(errno)));
  const int r = ::fsync(fd), e = errno;
  ::close(fd);
  // EINVAL: a file system without fsync for this kind of file (some FUSE/proc mounts).
  if (r != 0 && e != EINVAL) fail(cat(path, ": fsync failed: ", std::strerror(e)), "check the disk");
}

namespace {
void sync_tree(const fsys::path& dir) {
  std::error_code ec;
  for (auto& e : fsys::recursive_directory_iterator(dir, ec))
    if (e.is_regular_file(ec) || e.is_directory(ec)) sync_path(e.path().string());
  sync_path(dir.string());
}
}  // namespace

void replace_dir(const std::string& tmp, const std::string& dir) {
  sync_tree(tmp);
  std::error_code ec;
  if (!fsys::exists(dir)) {
    fsys::rename(tmp, dir, ec);
    if (ec) fail(cat(dir, ": cannot move the finished folder into place: ", ec.message()));
  } else if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, dir.c_str(), RENAME_EXCHANGE) == 0) {
    kill_point("model-swap");
    fsys::remove_all(tmp, ec);  // tmp now holds the old folder (a kill here leaves only it)
  } else {
    const std::string old = cat(dir, ".old-", getpid());
    fsys::rename(dir, old, ec);
    if (ec) fail(cat(dir, ": cannot replace the existing folder: ", ec.message()));
    kill_point("model-swap");
    fsys::rename(tmp, dir, ec);
    if (ec) fail(cat(dir, ": cannot move the finished folder into place: ", ec.message()));
    fsys::remove_all(old, ec);
  }
  sync_path(parent_or_dot(dir));
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

// Only names libu itself writes are candidates, so a user's own "x.tmp-12" files in a
// shared --out folder are never touched.
static bool libu_output_name(const std::string& stem) {
  for (const char* ext : {".safetensors", ".json", ".jsonl", ".csv", ".md", ".html", ".txt"}) {
    const size_t n = std::strlen(ext);
    if (stem.size() > n && stem.compare(stem.size() - n, n, ext) == 0) return true;
  }
  return stem == "model" || stem == "adapter" || stem == "best";
}

// "NAME.tmp-<pid>" / "NAME.old-<pid>" (NAME a libu output) / ".libu-write-test-<pid>": the
// pid, or -1.
static long temp_owner(const std::string& name) {
  for (const char* mark : {".tmp-", ".old-", ".libu-write-test-"}) {
    const size_t at = name.rfind(mark);
    if (at == std::string::npos) continue;
    const std::string digits = name.substr(at + std::strlen(mark));
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    if (at > 0 && !libu_output_name(name.substr(0, at))) continue;
    return std::strtol(digits.c_str(), nullptr, 10);
  }
  return -1;
}

static bool alive_elsewhere(long pid) {
  return pid != long(getpid()) && (::kill(pid_t(pid), 0) == 0 || errno == EPERM);
}

int remove_stale_temporaries(const std::string& dir, int depth) {
  int removed = 0;
  std::error_code ec;
  std::vector<fsys::path> entries;
  for (auto& e : fsys::directory_iterator(dir, ec)) entries.push_back(e.path());
  for (auto& p : entries) {
    const std::string name = p.filename().string();
    const long pid = temp_owner(name);
    const bool stale_ckpt = p.parent_path().filename() == "checkpoints" && name.rfind("step-", 0) == 0 &&
                            p.extension() == ".tmp";
    if ((pid > 0 && !alive_elsewhere(pid)) || stale_ckpt) {
      log_info("removing ", p.string(), ", left by an interrupted run");
      fsys::remove_all(p, ec);
      ++removed;
    } else if (depth > 0 && fsys::is_directory(p, ec) && !fsys::is_symlink(p, ec)) {
      removed += remove_stale_temporaries(p.string(), depth - 1);
    }
  }
  return removed;
}

}  // namespace libu
