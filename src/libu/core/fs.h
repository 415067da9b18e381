// libu/core/fs.h — file helpers: whole-file reads, atomic writes (temp file + rename).
#pragma once
#include <string>

namespace libu {

// Reads a whole file; raises Error naming the path when it cannot.
std::string read_file(const std::string& path);
// Writes `data` to `path` atomically: path.tmp-<pid>, fsync(2), rename(2), fsync of the folder
// (after a power loss the file is the old one or the new one, never empty or torn).
void write_file_atomic(const std::string& path, const std::string& data);
// fsync(2) of a file or folder; raises Error naming the path when it fails.
void sync_path(const std::string& path);
// Puts the finished folder `tmp` at `dir` in one step: when `dir` exists, the two are swapped
// with renameat2(RENAME_EXCHANGE) and the old one removed, so `dir` is at every instant either
// the complete old folder or the complete new one. Where the file system cannot swap, the old
// folder is renamed to dir.old-<pid> first (removed after; remove_stale_temporaries clears it
// after a kill). Every file of `tmp` is fsynced first.
void replace_dir(const std::string& tmp, const std::string& dir);
bool path_exists(const std::string& path);
bool is_directory(const std::string& path);
// Creates a directory and its parents; raises Error on failure.
void make_dirs(const std::string& path);
// make_dirs, then proves the folder writable with a probe file (created and removed), so a
// bad output folder fails before any work starts. `flag` names the option ("--out").
void require_writable_dir(const std::string& path, const std::string& flag);
// Removes what an interrupted run (kill -9, power loss) left under `dir`, `depth` folders
// deep: "X.tmp-PID" / "X.old-PID" (X a name libu writes: *.safetensors, *.json, *.jsonl,
// model, adapter, ...) and probe files whose process is gone, and unfinished
// "checkpoints/step-K.tmp" folders. Files of a live process, and anything libu does not
// write, are kept. Returns the count.
int remove_stale_temporaries(const std::string& dir, int depth = 3);

}  // namespace libu
