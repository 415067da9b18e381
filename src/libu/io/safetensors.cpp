// libu/io/safetensors.cpp — mmap'ed, validated safetensors reading; atomic writing.
#include "libu/io/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/core/kill_point.h"

namespace libu::io {

namespace fsys = std::filesystem;
using ojson = nlohmann::ordered_json;

namespace {

struct DTypeInfo {
  DType dtype;
  const char* name;
  size_t size;
};

constexpr DTypeInfo kDTypes[] = {
    {DType::F64, "F64", 8}, {DType::F32, "F32", 4}, {DType::F16, "F16", 2},
    {DType::BF16, "BF16", 2}, {DType::I64, "I64", 8}, {DType::I32, "I32", 4},
    {DType::I16, "I16", 2}, {DType::I8, "I8", 1},   {DType::U8, "U8", 1},
    {DType::BOOL, "BOOL", 1}, {DType::U16, "U16", 2}, {DType::U32, "U32", 4},
    {DType::U64, "U64", 8},
};

const DTypeInfo& info(DType d) {
  for (const auto& i : kDTypes)
    if (i.dtype == d) return i;
  fail_internal(cat("safetensors: invalid DType value ", int(d)));
}

std::string known_dtypes() {
  std::string s;
  for (const auto& i : kDTypes) s += (s.empty() ? "" : ", ") + std::string(i.name);
  return s;
}

const char* const kConvertHint =
    "convert the checkpoint to safetensors, e.g. python -c \"import torch; "
    "from safetensors.torch import save_file; save_file(torch.load('IN.bin', "
    "map_location='cpu'), 'model.safetensors')\", or load it with transformers and call "
    "save_pretrained(DIR, safe_serialization=True); libu never loads pickle files "
    "(they can run arbitrary code)";

bool ends_with(const std::string& s, const std::string& suf) {
  return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
}

// pytorch_model.bin, pytorch_model-00001-of-00002.bin, *.pt, *.pth, *.ckpt, and the
// index of a sharded pickle checkpoint.
bool is_pickle_name(const std::string& filename) {
  if (ends_with(filename, ".pt") || ends_with(filename, ".pth") ||
      ends_with(filename, ".ckpt"))
    return true;
  if (filename.rfind("pytorch_model", 0) == 0 &&
      (ends_with(filename, ".bin") || ends_with(filename, ".bin.index.json")))
    return true;
  return false;
}

[[noreturn]] void fail_pickle(const std::string& path) {
  fail(cat(path, ": is a PyTorch pickle checkpoint; libu reads only safetensors"),
       kConvertHint);
}

// A pickle stream starts with PROTO (0x80, version 2..5); torch.save's default zip
// container starts with a local-file header "PK\3\4".
bool looks_like_pickle(const uint8_t* p, size_t n) {
  if (n >= 2 && p[0] == 0x80 && p[1] >= 2 && p[1] <= 5) return true;
  if (n >= 4 && p[0] == 'P' && p[1] == 'K' && p[2] == 3 && p[3] == 4) return true;
  return false;
}

std::string shape_str(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// numel of a validated (non-negative) shape; nullopt-like -1 on overflow.
int64_t checked_numel(const std::vector<int64_t>& shape, size_t itemsize) {
  const uint64_t limit = uint64_t(std::numeric_limits<int64_t>::max()) / itemsize;
  uint64_t n = 1;
  for (int64_t d : shape) {
    if (d == 0) return 0;
    if (n > limit / uint64_t(d)) return -1;
    n *= uint64_t(d);
  }
  return int64_t(n);
}

const char* const kCorruptHint =
    "the file is corrupt or was not written by a safetensors writer; re-download or "
    "re-export it (e.g. with safetensors.torch.save_file)";

}  // namespace

size_t dtype_size(DType d) { return info(d).size; }
const char* dtype_name(DType d) { return info(d).name; }

DType parse_dtype(const std::string& s, const std::string& context) {
  for (const auto& i : kDTypes)
    if (s == i.name) return i.dtype;
  fail(cat(context, ": unknown dtype \"", s, "\""),
       cat("supported dtypes: ", known_dtypes(), " (dtype names are upper case)"));
}

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

// ---------------------------------------------------------------------------------------
// SafetensorsFile

SafetensorsFile::~SafetensorsFile() {
  if (map_) munmap(map_, map_size_);
}

std::shared_ptr<SafetensorsFile> SafetensorsFile::open(const std::string& path) {
  const std::string fname = fsys::path(path).filename().string();
  if (is_pickle_name(fname) && !ends_with(fname, ".safetensors")) fail_pickle(path);

  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    fail(cat(path, ": cannot open safetensors file: ", std::strerror(errno)),
         "check the path and its permissions");
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    fail(cat(path, ": not a regular file"), "pass the path of a .safetensors file");
  }
  const size_t size = size_t(st.st_size);
  if (size < 8) {
    ::close(fd);
    fail(cat(path, ": truncated safetensors file: ", size,
             " bytes, but the 8-byte header length alone needs 8"),
         kCorruptHint);
  }
  void* map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  const int map_errno = errno;
  ::close(fd);
  if (map == MAP_FAILED)
    fail(cat(path, ": cannot mmap ", size, " bytes: ", std::strerror(map_errno)),
         "check the free address space and memory limits (ulimit -v)");

  // From here on the object owns the mapping (unmapped by the destructor on error).
  std::shared_ptr<SafetensorsFile> f(new SafetensorsFile());
  f->path_ = path;
  f->map_ = map;
  f->map_size_ = size;
  const auto* bytes = static_cast<const uint8_t*>(map);

  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | bytes[i];
  if (header_len > size - 8) {
    if (looks_like_pickle(bytes, size)) fail_pickle(path);
    fail(cat(path, ": header length ", header_len, " is beyond the file size (", size,
             " bytes, so at most ", size - 8, " header bytes); the file is truncated or "
             "not safetensors"),
         kCorruptHint);
  }
  const char* hbeg = reinterpret_cast<const char*>(bytes + 8);
  const char* hend = hbeg + header_len;
  ojson header;
  try {
    header = ojson::parse(hbeg, hend);
  } catch (const nlohmann::json::exception& e) {
    fail(cat(path, ": the header (", header_len, " bytes) is not valid JSON: ", e.what()),
         kCorruptHint);
  }
  if (!header.is_object())
    fail(cat(path, ": the header is JSON but not an object (got ", header.type_name(), ")"),
         kCorruptHint);

  const uint8_t* buffer = bytes + 8 + header_len;
  const uint64_t buffer_size = size - 8 - header_len;

  struct Span {
    uint64_t begin, end;
    size_t idx;
  };
  std::vector<Span> spans;
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& key = it.key();
    const ojson& v = it.value();
    if (key == "__metadata__") {
      if (!v.is_object())
        fail(cat(path, ": __metadata__ must be an object of strings, got ", v.type_name()),
             kCorruptHint);
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string())
          fail(cat(path, ": __metadata__ entry \"", m.key(), "\" must be a string, got ",
                   m.value().type_name()),
               kCorruptHint);
        f->metadata_[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    const std::string where = cat(path, ": tensor \"", key, "\"");
    if (!v.is_object())
      fail(cat(where, ": entry must be an object with dtype, shape and data_offsets"),
           kCorruptHint);
    for (const char* field : {"dtype", "shape", "data_offsets"})
      if (!v.contains(field)) fail(cat(where, ": missing field \"", field, "\""), kCorruptHint);
    if (!v["dtype"].is_string())
      fail(cat(where, ": dtype must be a string, got ", v["dtype"].dump()), kCorruptHint);
    TensorView t;
    t.name = key;
    t.dtype = parse_dtype(v["dtype"].get<std::string>(), where);

    const ojson& shape = v["shape"];
    if (!shape.is_array())
      fail(cat(where, ": shape must be an array of integers, got ", shape.dump()),
           kCorruptHint);
    for (const ojson& d : shape) {
      if (!d.is_number_integer())
        fail(cat(where, ": shape ", shape.dump(), " has a non-integer dimension"),
             kCorruptHint);
      if (d.is_number_unsigned() ? d.get<uint64_t>() > uint64_t(INT64_MAX)
                                 : d.get<int64_t>() < 0)
        fail(cat(where, ": shape ", shape.dump(), " has a negative or huge dimension"),
             kCorruptHint);
      t.shape.push_back(d.get<int64_t>());
    }

    const ojson& off = v["data_offsets"];
    if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() ||
        !off[1].is_number_unsigned())
      fail(cat(where, ": data_offsets must be two non-negative integers [begin, end], got ",
               off.dump()),
           kCorruptHint);
    const uint64_t begin = off[0].get<uint64_t>(), end = off[1].get<uint64_t>();
    if (begin > end)
      fail(cat(where, ": data_offsets [", begin, ", ", end, "] end before they begin"),
           kCorruptHint);
    if (end > buffer_size)
      fail(cat(where, ": data_offsets [", begin, ", ", end,
               "] are out of bounds: the data buffer has ", buffer_size, " bytes"),
           kCorruptHint);

    const size_t item = dtype_size(t.dtype);
    const int64_t numel = checked_numel(t.shape, item);
    if (numel < 0 || uint64_t(numel) * item != end - begin)
      fail(cat(where, ": shape ", shape_str(t.shape), " × ", item, "-byte ",
               dtype_name(t.dtype), " needs ",
               numel < 0 ? std::string("an impossibly large number of")
                         : std::to_string(uint64_t(numel) * item),
               " bytes, but data_offsets [", begin, ", ", end, "] hold ", end - begin),
           kCorruptHint);
    t.data = buffer + begin;
    t.nbytes = size_t(end - begin);
    spans.push_back({begin, end, f->tensors_.size()});
    f->index_[t.name] = f->tensors_.size();
    f->tensors_.push_back(std::move(t));
  }

  // Sorted by begin (empty tensors first at equal begins), the spans must tile the buffer.
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t pos = 0;
  const std::string* prev = nullptr;
  for (const Span& s : spans) {
    const std::string& name = f->tensors_[s.idx].name;
    if (s.begin < pos)
      fail(cat(path, ": tensor \"", name, "\": data_offsets [", s.begin, ", ", s.end,
               "] overlap tensor \"", *prev, "\" (which ends at ", pos, ")"),
           kCorruptHint);
    if (s.begin > pos)
      fail(cat(path, ": tensor \"", name, "\": data_offsets [", s.begin, ", ", s.end,
               "] leave a gap of ", s.begin - pos, " bytes after ",
               prev ? cat("tensor \"", *prev, "\"") : std::string("the buffer start"),
               " (offsets must be contiguous)"),
           kCorruptHint);
    pos = s.end;
    prev = &name;
  }
  if (pos != buffer_size)
    fail(cat(path, ": ", buffer_size - pos, " trailing bytes after the last tensor",
             prev ? cat(" \"", *prev, "\"") : std::string(),
             " (the data buffer has ", buffer_size, " bytes, the tensors cover ", pos, ")"),
         kCorruptHint);
  return f;
}

bool SafetensorsFile::contains(const std::string& name) const { return index_.count(name); }

namespace {
std::string some_names(const std::vector<std::string>& names) {
  std::string s;
  size_t n = 0;
  for (const auto& x : names) {
    if (n == 8) return s + ", ... (" + std::to_string(names.size()) + " in all)";
    s += (n++ ? ", " : "") + x;
  }
  return s.empty() ? "(none)" : s;
}
}  // namespace

const TensorView& SafetensorsFile::get(const std::string& name) const {
  auto it = index_.find(name);
  if (it == index_.end()) {
    std::vector<std::string> names;
    for (const auto& t : tensors_) names.push_back(t.name);
    fail(cat(path_, ": no tensor \"", name, "\""), cat("tensors in the file: ", some_names(names)));
  }
  return tensors_[it->second];
}

// ---------------------------------------------------------------------------------------
// SafetensorsStore

namespace {

// A shard name from an index must be a relative path that stays inside the folder.
void check_shard_name(const std::string& index_path, const std::string& tensor,
                      const std::string& shard) {
  const char* hint =
      "the index may only name files inside the model folder (e.g. "
      "\"model-00001-of-00002.safetensors\"); fix or regenerate model.safetensors.index.json";
  if (shard.empty())
    fail(cat(index_path, ": tensor \"", tensor, "\": empty shard file name"), hint);
  if (shard[0] == '/' || shard[0] == '\\' || (shard.size() > 1 && shard[1] == ':'))
    fail(cat(index_path, ": tensor \"", tensor, "\": shard \"", shard,
             "\" is an absolute path; it must stay inside the model folder"),
         hint);
  size_t start = 0;
  while (start <= shard.size()) {
    size_t stop = shard.find_first_of("/\\", start);
    if (stop == std::string::npos) stop = shard.size();
    if (shard.compare(start, stop - start, "..") == 0 && stop - start == 2)
      fail(cat(index_path, ": tensor \"", tensor, "\": shard \"", shard,
               "\" has a \"..\" component; it must stay inside the model folder"),
           hint);
    start = stop + 1;
  }
}

}  // namespace

SafetensorsStore SafetensorsStore::open_dir(const std::string& dir) {
  std::error_code ec;
  if (!fsys::is_directory(dir, ec))
    fail(cat(dir, ": not a model folder (missing or not a directory)"),
         "pass a Hugging Face model folder containing model.safetensors or "
         "model.safetensors.index.json");
  const fsys::path d(dir);
  const fsys::path index = d / "model.safetensors.index.json";
  const fsys::path single = d / "model.safetensors";

  SafetensorsStore store;
  auto add_file = [&store](std::shared_ptr<SafetensorsFile> f) {
    const size_t idx = store.files_.size();
    for (const TensorView& t : f->tensors()) {
      auto [it, fresh] = store.where_.emplace(t.name, std::make_pair(idx, &t));
      if (!fresh)
        fail(cat(f->path(), ": tensor \"", t.name, "\" is also in ",
                 store.files_[it->second.first]->path()),
             "each tensor must be stored in exactly one shard; re-export the model");
    }
    if (store.files_.empty()) store.metadata_ = f->metadata();
    store.files_.push_back(std::move(f));
  };

  if (fsys::exists(index, ec)) {
    const std::string ipath = index.string();
    const std::string text = read_file(ipath);
    ojson j;
    try {
      j = ojson::parse(text);
    } catch (const nlohmann::json::exception& e) {
      fail(cat(ipath, ": not valid JSON: ", e.what()),
           "regenerate the index (transformers' save_pretrained writes it)");
    }
    if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object())
      fail(cat(ipath, ": missing the \"weight_map\" object (tensor name -> shard file)"),
           "regenerate the index (transformers' save_pretrained writes it)");
    const ojson& wm = j["weight_map"];
    if (wm.empty())
      fail(cat(ipath, ": \"weight_map\" is empty"),
           "regenerate the index (transformers' save_pretrained writes it)");
    std::set<std::string> shards;
    for (auto it = wm.begin(); it != wm.end(); ++it) {
      if (!it.value().is_string())
        fail(cat(ipath, ": tensor \"", it.key(), "\": shard must be a string, got ",
                 it.value().dump()),
           "regenerate the index (transformers' save_pretrained writes it)");
      const std::string shard = it.value().get<std::string>();
      check_shard_name(ipath, it.key(), shard);
      shards.insert(shard);
    }
    std::map<std::string, size_t> shard_idx;
    for (const std::string& shard : shards) {
      const fsys::path sp = d / shard;
      if (!fsys::exists(sp, ec)) {
        std::string example;
        for (auto it = wm.begin(); it != wm.end(); ++it)
          if (it.value().get<std::string>() == shard) {
            example = it.key();
            break;
          }
        fail(cat(ipath, ": names shard \"", shard, "\" (e.g. for tensor \"", example,
                 "\"), but ", sp.string(), " does not exist"),
             "the download is incomplete: fetch every shard listed in the index, or fix the "
             "index");
      }
      if (is_pickle_name(sp.filename().string()) && !ends_with(shard, ".safetensors"))
        fail_pickle(sp.string());
      shard_idx[shard] = store.files_.size();
      add_file(SafetensorsFile::open(sp.string()));
    }
    for (auto it = wm.begin(); it != wm.end(); ++it) {
      const std::string shard = it.value().get<std::string>();
      const auto& f = store.files_[shard_idx[shard]];
      if (!f->contains(it.key()))
        fail(cat(ipath, ": tensor \"", it.key(), "\" is mapped to ", f->path(),
                 ", which does not contain it"),
             "the index and the shards disagree; re-download or regenerate the model");
    }
    return store;
  }
  if (fsys::exists(single, ec)) {
    add_file(SafetensorsFile::open(single.string()));
    return store;
  }

  // No safetensors weights: explain what is there.
  std::vector<std::string> pickles, others;
  for (const auto& e : fsys::directory_iterator(d, ec)) {
    const std::string name = e.path().filename().string();
    if (is_pickle_name(name))
      pickles.push_back(name);
    else if (ends_with(name, ".safetensors"))
      others.push_back(name);
  }
  std::sort(pickles.begin(), pickles.end());
  std::sort(others.begin(), others.end());
  if (!pickles.empty())
    fail(cat(dir, ": holds only PyTorch pickle checkpoints (", some_names(pickles),
             "); libu reads only safetensors"),
         kConvertHint);
  fail(cat(dir, ": no model.safetensors or model.safetensors.index.json",
           others.empty() ? std::string() : cat(" (other safetensors files: ",
                                                some_names(others), ")")),
       "pass a Hugging Face model folder, or open a single file with its path");
}

SafetensorsStore SafetensorsStore::open_file(const std::string& path) {
  SafetensorsStore store;
  auto f = SafetensorsFile::open(path);
  for (const TensorView& t : f->tensors()) store.where_.emplace(t.name, std::make_pair(0, &t));
  store.metadata_ = f->metadata();
  store.files_.push_back(std::move(f));
  return store;
}

std::vector<std::string> SafetensorsStore::names() const {
  std::vector<std::string> out;
  out.reserve(where_.size());
  for (const auto& kv : where_) out.push_back(kv.first);
  return out;
}

bool SafetensorsStore::contains(const std::string& name) const { return where_.count(name); }

namespace {
std::string store_files(const std::vector<std::shared_ptr<SafetensorsFile>>& files) {
  std::vector<std::string> p;
  for (const auto& f : files) p.push_back(f->path());
  return some_names(p);
}
}  // namespace

const TensorView& SafetensorsStore::get(const std::string& name) const {
  auto it = where_.find(name);
  if (it == where_.end())
    fail(cat(store_files(files_), ": no tensor \"", name, "\""),
         cat("tensors present: ", some_names(names())));
  return *it->second.second;
}

const std::string& SafetensorsStore::file_of(const std::string& name) const {
  auto it = where_.find(name);
  if (it == where_.end())
    fail(cat(store_files(files_), ": no tensor \"", name, "\""),
         cat("tensors present: ", some_names(names())));
  return files_[it->second.first]->path();
}

// ---------------------------------------------------------------------------------------
// Writing

void write_safetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  ojson header = ojson::object();
  if (!metadata.empty()) {
    ojson m = ojson::object();
    for (const auto& kv : metadata) m[kv.first] = kv.second;
    header["__metadata__"] = std::move(m);
  }
  uint64_t offset = 0;
  std::set<std::string> seen;
  for (const TensorToWrite& t : tensors) {
    const std::string where = cat(path, ": tensor \"", t.name, "\"");
    if (t.name.empty() || t.name == "__metadata__")
      fail(cat(where, ": invalid tensor name"), "use a non-empty name other than __metadata__");
    if (!seen.insert(t.name).second)
      fail(cat(where, ": duplicate tensor name"), "each tensor name must be unique");
    const size_t item = dtype_size(t.dtype);
    for (int64_t d : t.shape)
      if (d < 0)
        fail(cat(where, ": negative dimension in shape ", shape_str(t.shape)),
             "dimensions must be >= 0");
    const int64_t numel = checked_numel(t.shape, item);
    if (numel < 0 || uint64_t(numel) * item != t.nbytes)
      fail(cat(where, ": shape ", shape_str(t.shape), " of ", dtype_name(t.dtype), " needs ",
               numel < 0 ? std::string("too many") : std::to_string(uint64_t(numel) * item),
               " bytes, but nbytes is ", t.nbytes),
           "pass nbytes = numel × itemsize");
    if (t.nbytes > 0 && t.data == nullptr && !t.produce)
      fail(cat(where, ": data is null"), "pass a pointer to nbytes bytes");
    header[t.name] = ojson{{"dtype", dtype_name(t.dtype)},
                           {"shape", t.shape},
                           {"data_offsets", {offset, offset + t.nbytes}}};
    offset += t.nbytes;
  }
  std::string h = header.dump();
  h.append((8 - h.size() % 8) % 8, ' ');  // the buffer starts on an 8-byte boundary
  uint8_t len[8];
  for (int i = 0; i < 8; ++i) len[i] = uint8_t(uint64_t(h.size()) >> (8 * i));

  // Streamed (tensors may be large), then renamed into place.
  const std::string tmp = cat(path, ".tmp-", getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    fail(cat(tmp, ": cannot create file: ", std::strerror(errno)),
         "check that the folder exists and is writable");
  auto write_all = [&](const void* p, size_t n) {
    const char* c = static_cast<const char*>(p);
    while (n > 0) {
      ssize_t w = ::write(fd, c, std::min(n, size_t(1) << 30));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        const int e = errno;
        ::close(fd);
        ::unlink(tmp.c_str());
        fail(cat(tmp, ": write failed: ", std::strerror(e)), "check the free disk space");
      }
      c += w;
      n -= size_t(w);
    }
  };
  write_all(len, 8);
  write_all(h.data(), h.size());
  kill_point("safetensors");
  for (const TensorToWrite& t : tensors) {
    if (!t.produce) {
      if (t.nbytes) write_all(t.data, t.nbytes);
      continue;
    }
    size_t got = 0;
    try {
      t.produce([&](const void* p, size_t n) {
        got += n;
        if (got <= t.nbytes) write_all(p, n);
      });
    } catch (...) {  // nothing half-written stays behind
      ::close(fd);
      ::unlink(tmp.c_str());
      throw;
    }
    if (got != t.nbytes) {
      ::close(fd);
      ::unlink(tmp.c_str());
      fail_internal(cat(path, ": tensor \"", t.name, "\" produced ", got, " bytes, expected ", t.nbytes));
    }
  }
  if (::fsync(fd) != 0 && errno != EINVAL) {  // on disk before the rename makes it visible
    const int e = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    fail(cat(tmp, ": fsync failed: ", std::strerror(e)), "check the disk");
  }
  if (::close(fd) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    fail(cat(tmp, ": close failed: ", std::strerror(e)), "check the free disk space");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    fail(cat(path, ": cannot rename temporary file into place: ", std::strerror(e)),
         "check that the destination folder is writable");
  }
}

}  // namespace libu::io
