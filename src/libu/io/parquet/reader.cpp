// libu/io/parquet/reader.cpp — file access, schema resolution and value conversion.
#include "libu/io/parquet/reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include "libu/core/error.h"

namespace libu::io::parquet {

namespace {

constexpr int kMaxSchemaDepth = 64;

void walk_schema(const std::vector<SchemaElement>& s, size_t& i, int depth, int16_t def, int16_t rep, int16_t rep_def,
                 std::vector<std::string>& path, std::vector<ColumnInfo>& out, const std::string& ctx) {
  if (i >= s.size()) fail(cat(ctx, ": corrupt schema: it ends before all children were listed"), "re-export the file");
  if (depth > kMaxSchemaDepth) fail(cat(ctx, ": corrupt schema: nested too deeply"), "re-export the file");
  const SchemaElement& e = s[i++];
  Repetition r = e.repetition.value_or(Repetition::REQUIRED);
  if (r != Repetition::REQUIRED) ++def;
  if (r == Repetition::REPEATED) ++rep, rep_def = def;
  path.push_back(e.name);
  if (e.num_children < 0) fail(cat(ctx, ": corrupt schema: '", e.name, "' has a negative child count"), "re-export the file");
  if (e.num_children > 0) {
    if (size_t(e.num_children) > s.size() - i)
      fail(cat(ctx, ": corrupt schema: '", e.name, "' claims ", e.num_children, " children, the schema has ", s.size() - i,
               " elements left"),
           "re-export the file");
    for (int32_t k = 0; k < e.num_children; ++k) walk_schema(s, i, depth + 1, def, rep, rep_def, path, out, ctx);
  } else {
    if (!e.type) fail(cat(ctx, ": corrupt schema: leaf '", e.name, "' has no physical type"), "re-export the file");
    ColumnInfo c;
    c.path = path;
    for (size_t k = 0; k < path.size(); ++k) c.name += (k ? "." : "") + path[k];
    c.physical = *e.type;
    c.type_length = e.type_length;
    c.repetition = r;
    c.max_def = def;
    c.max_rep = rep;
    c.rep_def = rep_def;
    c.converted_type = e.converted_type;
    c.logical = e.logical;
    c.scale = e.logical.kind == 5 ? e.logical.scale : e.scale;
    c.precision = e.logical.kind == 5 ? e.logical.precision : e.precision;
    if (c.physical == PhysicalType::FIXED_LEN_BYTE_ARRAY && c.type_length <= 0)
      fail(cat(ctx, ": corrupt schema: FIXED_LEN_BYTE_ARRAY column '", c.name, "' has type_length ", c.type_length),
           "re-export the file");
    out.push_back(std::move(c));
  }
  path.pop_back();
}

using i128 = __int128;

std::string i128_to_string(i128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  unsigned __int128 u = neg ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
  std::string s;
  while (u) s.insert(s.begin(), char('0' + int(u % 10))), u /= 10;
  if (neg) s.insert(s.begin(), '-');
  return s;
}

std::string hex(const std::string& b) {
  static const char* d = "0123456789abcdef";
  std::string s = "0x";
  for (unsigned char ch : b) s += d[ch >> 4], s += d[ch & 15];
  return s;
}

// Big-endian two's complement bytes -> i128 (false when wider than 16 bytes).
bool be_to_i128(const std::string& b, i128& out) {
  if (b.empty()) { out = 0; return true; }
  if (b.size() > 16) return false;
  unsigned __int128 u = (static_cast<unsigned char>(b[0]) & 0x80) ? ~(unsigned __int128)0 : 0;
  for (unsigned char ch : b) u = (u << 8) | ch;
  out = (i128)u;
  return true;
}

bool unscaled(const ColumnInfo& c, const ColumnData& d, size_t row, i128& v) {
  switch (c.physical) {
    case PhysicalType::INT32:
    case PhysicalType::INT64: v = d.ints[row]; return true;
    case PhysicalType::BYTE_ARRAY:
    case PhysicalType::FIXED_LEN_BYTE_ARRAY: return be_to_i128(d.bytes[row], v);
    default: return false;
  }
}

std::string decimal_string(i128 v, int scale) {
  std::string digits = i128_to_string(v < 0 ? -v : v);
  if (scale > 0) {
    if (int(digits.size()) <= scale) digits.insert(0, size_t(scale - int(digits.size()) + 1), '0');
    digits.insert(digits.size() - size_t(scale), ".");
  } else if (scale < 0 && v != 0) {
    digits.append(size_t(-scale), '0');
  }
  return (v < 0 ? "-" : "") + digits;
}

// INT96 timestamps: 8 bytes nanoseconds-of-day, 4 bytes Julian day (both little-endian).
// Microseconds since the epoch are computed modulo 2^64, as Spark does: Spark writes dates
// beyond the int32 day range wrapped (int96_from_spark.parquet, year 290000), and the
// wrapped int64 arithmetic recovers the instant. The result is in nanoseconds.
i128 int96_nanos(const std::string& b) {
  int64_t nanos;
  int32_t day;
  std::memcpy(&nanos, b.data(), 8);
  std::memcpy(&day, b.data() + 8, 4);
  uint64_t micros = uint64_t(int64_t(day) - 2440588) * uint64_t(86400000000ULL) + uint64_t(nanos / 1000);
  return i128(int64_t(micros)) * 1000 + i128(nanos % 1000);
}

double half_to_double(uint16_t h) {
  int s = h >> 15, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  double v;
  if (e == 0) v = std::ldexp(double(m), -24);
  else if (e == 31) v = m ? NAN : INFINITY;
  else v = std::ldexp(double(m + 1024), e - 25);
  return s ? -v : v;
}

bool is_float16(const ColumnInfo& c) {
  return c.logical.kind == 15 && c.physical == PhysicalType::FIXED_LEN_BYTE_ARRAY && c.type_length == 2;
}

bool is_uint64(const ColumnInfo& c) {
  if (c.physical != PhysicalType::INT64) return false;
  if (c.logical.kind == 10) return !c.logical.is_signed;
  return c.converted_type && *c.converted_type == converted::UINT_64;
}

std::string format_double(double x) {
  if (std::isnan(x)) return "NaN";
  if (std::isinf(x)) return x > 0 ? "Infinity" : "-Infinity";
  return nlohmann::json(x).dump();
}

bool valid_utf8(const std::string& s) {
  size_t i = 0, n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (!len || i + len > n) return false;
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    i += len;
  }
  return true;
}

}  // namespace

namespace {

// Value `row` of a flat column, or element `row` of a list column's values (never null).
std::string scalar_string(const ColumnInfo& c, const ColumnData& d, size_t row) {
  if (c.is_decimal()) {
    i128 v;
    if (unscaled(c, d, row, v)) return decimal_string(v, c.scale);
  }
  switch (c.physical) {
    case PhysicalType::BOOLEAN: return std::string(d.ints[row] ? "true" : "false");
    case PhysicalType::INT32:
    case PhysicalType::INT64:
      if (is_uint64(c)) return std::to_string(uint64_t(d.ints[row]));
      return std::to_string(d.ints[row]);
    case PhysicalType::FLOAT:
    case PhysicalType::DOUBLE: return format_double(d.doubles[row]);
    case PhysicalType::INT96: return i128_to_string(int96_nanos(d.bytes[row]));
    default:
      if (is_float16(c)) {
        uint16_t h;
        std::memcpy(&h, d.bytes[row].data(), 2);
        return format_double(half_to_double(h));
      }
      return d.bytes[row];
  }
}

nlohmann::json scalar_json(const ColumnInfo& c, const ColumnData& d, size_t row);

void no_list(const ColumnInfo& c, const ColumnData& d) {
  if (d.is_list())
    fail(cat("column '", c.name, "' is a list column"), "read it as JSON (an array per row) or as a string instead");
}

}  // namespace

std::optional<std::string> value_as_string(const ColumnInfo& c, const ColumnData& d, size_t row) {
  if (d.is_null(row)) return std::nullopt;
  if (d.is_list()) return value_to_json(c, d, row).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return scalar_string(c, d, row);
}

std::optional<int64_t> value_as_int(const ColumnInfo& c, const ColumnData& d, size_t row) {
  no_list(c, d);
  if (c.physical != PhysicalType::BOOLEAN && c.physical != PhysicalType::INT32 && c.physical != PhysicalType::INT64)
    fail(cat("column '", c.name, "' (", c.type_string(), ") is not an integer column"),
         "read it as a string or double instead");
  if (d.is_null(row)) return std::nullopt;
  if (is_uint64(c) && d.ints[row] < 0)
    fail(cat("column '", c.name, "' row ", row, ": unsigned value ", uint64_t(d.ints[row]), " exceeds int64"));
  return d.ints[row];
}

std::optional<double> value_as_double(const ColumnInfo& c, const ColumnData& d, size_t row) {
  no_list(c, d);
  if (d.is_null(row)) return std::nullopt;
  if (c.is_decimal()) {
    i128 v;
    if (unscaled(c, d, row, v)) return double(v) * std::pow(10.0, -c.scale);
  }
  switch (c.physical) {
    case PhysicalType::BOOLEAN:
    case PhysicalType::INT32: return double(d.ints[row]);
    case PhysicalType::INT64: return is_uint64(c) ? double(uint64_t(d.ints[row])) : double(d.ints[row]);
    case PhysicalType::FLOAT:
    case PhysicalType::DOUBLE: return d.doubles[row];
    default:
      if (is_float16(c)) {
        uint16_t h;
        std::memcpy(&h, d.bytes[row].data(), 2);
        return half_to_double(h);
      }
      fail(cat("column '", c.name, "' (", c.type_string(), ") is not numeric"), "read it as a string instead");
  }
}

nlohmann::json value_to_json(const ColumnInfo& c, const ColumnData& d, size_t row) {
  if (d.is_null(row)) return nullptr;
  if (!d.is_list()) return scalar_json(c, d, row);
  nlohmann::json a = nlohmann::json::array();
  for (uint64_t e = d.offsets[row]; e < d.offsets[row + 1]; ++e)
    a.push_back(d.elem_valid[e] ? scalar_json(c, d, size_t(e)) : nlohmann::json(nullptr));
  return a;
}

namespace {

nlohmann::json scalar_json(const ColumnInfo& c, const ColumnData& d, size_t row) {
  if (c.is_decimal()) {
    i128 v;
    if (unscaled(c, d, row, v)) return decimal_string(v, c.scale);
    return hex(d.bytes[row]);
  }
  switch (c.physical) {
    case PhysicalType::BOOLEAN: return bool(d.ints[row]);
    case PhysicalType::INT32:
    case PhysicalType::INT64:
      if (is_uint64(c)) return uint64_t(d.ints[row]);
      return d.ints[row];
    case PhysicalType::FLOAT:
    case PhysicalType::DOUBLE: {
      double x = d.doubles[row];
      if (std::isfinite(x)) return x;
      return format_double(x);
    }
    case PhysicalType::INT96: {
      i128 ns = int96_nanos(d.bytes[row]);
      if (ns >= INT64_MIN && ns <= INT64_MAX) return int64_t(ns);
      return i128_to_string(ns);
    }
    default: {
      if (is_float16(c)) {
        uint16_t h;
        std::memcpy(&h, d.bytes[row].data(), 2);
        double x = half_to_double(h);
        if (std::isfinite(x)) return x;
        return format_double(x);
      }
      const std::string& b = d.bytes[row];
      if (c.physical == PhysicalType::BYTE_ARRAY && valid_utf8(b)) return b;
      if (c.is_string() && valid_utf8(b)) return b;
      return hex(b);
    }
  }
}

}  // namespace

int Table::index(const std::string& name) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i].name == name) return int(i);
  return -1;
}

nlohmann::ordered_json Table::row_json(size_t row) const {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (size_t i = 0; i < columns.size(); ++i) j[columns[i].name] = value_to_json(columns[i], data[i], row);
  return j;
}

void Table::append(const Table& o) {
  if (columns.empty() && data.empty()) {
    *this = o;
    return;
  }
  for (size_t i = 0; i < data.size() && i < o.data.size(); ++i) data[i].append(o.data[i]);
  num_rows += o.num_rows;
}

// ---------------------------------------------------------------------------------------

ParquetFile::~ParquetFile() {
  if (fd_ >= 0) ::close(fd_);
}

std::unique_ptr<ParquetFile> ParquetFile::open(const std::string& path, ReadOptions opt) {
  std::unique_ptr<ParquetFile> f(new ParquetFile());
  f->opt_ = opt;
  f->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (f->fd_ < 0)
    fail(cat(path, ": cannot open: ", std::strerror(errno)), "check the path (a dataset folder holds forget.parquet, ...)");
  struct stat st;
  if (::fstat(f->fd_, &st) != 0) fail(cat(path, ": cannot stat: ", std::strerror(errno)));
  if (S_ISDIR(st.st_mode)) fail(cat(path, ": is a directory, not a parquet file"), "pass a .parquet file");
  f->file_size_ = uint64_t(st.st_size);
  f->init(path);
  return f;
}

std::unique_ptr<ParquetFile> ParquetFile::from_buffer(const uint8_t* data, size_t size, const std::string& name,
                                                      ReadOptions opt) {
  std::unique_ptr<ParquetFile> f(new ParquetFile());
  f->opt_ = opt;
  f->buffer_.assign(data, data + size);
  f->file_size_ = size;
  f->init(name);
  return f;
}

std::vector<uint8_t> ParquetFile::read_range(uint64_t offset, uint64_t size) const {
  if (offset > file_size_ || size > file_size_ - offset)
    fail(cat(path_, ": read of ", size, " bytes at offset ", offset, " runs past the end of the file (", file_size_,
             " bytes)"),
         "the file is truncated or its metadata is corrupt; re-download or re-export it");
  std::vector<uint8_t> out{};
  out.resize(size_t(size));
  if (fd_ < 0) {
    if (size) std::memcpy(out.data(), buffer_.data() + offset, size_t(size));
    return out;
  }
  size_t done = 0;
  while (done < size) {
    ssize_t r = ::pread(fd_, out.data() + done, size_t(size) - done, off_t(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) fail(cat(path_, ": read failed at offset ", offset + done, ": ", r < 0 ? std::strerror(errno) : "end of file"));
    done += size_t(r);
  }
  return out;
}

void ParquetFile::init(const std::string& name) {
  path_ = name;
  const char* hint = "the file is truncated or not a parquet file; re-download or re-export it";
  if (file_size_ < 12) fail(cat(path_, ": not a parquet file (", file_size_, " bytes, too small)"), hint);
  std::vector<uint8_t> head = read_range(0, 4), tail = read_range(file_size_ - 8, 8);
  if (std::memcmp(tail.data() + 4, "PARE", 4) == 0)
    fail(cat(path_, ": encrypted parquet files (PARE footer) are unsupported"), "decrypt the file first");
  if (std::memcmp(head.data(), "PAR1", 4) != 0 || std::memcmp(tail.data() + 4, "PAR1", 4) != 0)
    fail(cat(path_, ": not a parquet file (missing PAR1 magic ", std::memcmp(head.data(), "PAR1", 4) ? "at the start" : "at the end",
             ")"),
         hint);
  uint32_t mlen;
  std::memcpy(&mlen, tail.data(), 4);
  if (uint64_t(mlen) > file_size_ - 12)
    fail(cat(path_, ": footer length ", mlen, " exceeds the file size ", file_size_), hint);
  std::vector<uint8_t> footer = read_range(file_size_ - 8 - mlen, mlen);
  md_ = parse_file_metadata(footer.data(), footer.size(), path_);
  if (md_.encrypted) fail(cat(path_, ": encrypted parquet files are unsupported"), "decrypt the file first");
  if (md_.num_rows < 0) fail(cat(path_, ": corrupt metadata: negative row count"), hint);
  size_t i = 1;
  std::vector<std::string> path;
  const SchemaElement& root = md_.schema[0];
  if (root.num_children < 0 || size_t(root.num_children) > md_.schema.size() - 1)
    fail(cat(path_, ": corrupt schema: the root claims ", root.num_children, " children"), hint);
  for (int32_t k = 0; k < root.num_children; ++k) walk_schema(md_.schema, i, 1, 0, 0, 0, path, columns_, path_);
  if (i != md_.schema.size())
    fail(cat(path_, ": corrupt schema: ", md_.schema.size() - i, " elements are not reachable from the root"), hint);
  int64_t total = 0;
  for (size_t g = 0; g < md_.row_groups.size(); ++g) {
    const RowGroup& rg = md_.row_groups[g];
    if (rg.columns.size() != columns_.size())
      fail(cat(path_, ": row group ", g, " has ", rg.columns.size(), " column chunks, the schema has ", columns_.size(),
               " columns"),
           hint);
    if (rg.num_rows < 0) fail(cat(path_, ": row group ", g, " has a negative row count"), hint);
    total += rg.num_rows;
    for (size_t c = 0; c < rg.columns.size(); ++c) {
      const ColumnChunk& cc = rg.columns[c];
      if (!cc.has_meta_data)
        fail(cat(path_, ": row group ", g, " column '", columns_[c].name, "' has no metadata"), hint);
      if (cc.meta_data.type != columns_[c].physical)
        fail(cat(path_, ": column '", columns_[c].name, "': chunk type ", to_string(cc.meta_data.type),
                 " differs from the schema type ", to_string(columns_[c].physical)),
             hint);
    }
  }
  // Some writers leave FileMetaData.num_rows at 0 (repeated_no_annotation.parquet): the
  // row groups are authoritative.
  num_rows_ = total;
}

int64_t ParquetFile::row_group_num_rows(int rg) const {
  if (rg < 0 || rg >= num_row_groups()) fail(cat(path_, ": row group ", rg, " out of range (", num_row_groups(), " row groups)"));
  return md_.row_groups[size_t(rg)].num_rows;
}

std::vector<std::string> ParquetFile::column_names() const {
  std::vector<std::string> n;
  for (auto& c : columns_) n.push_back(c.name);
  return n;
}

int ParquetFile::column_index(const std::string& name) const {
  for (size_t i = 0; i < columns_.size(); ++i)
    if (columns_[i].name == name) return int(i);
  return -1;
}

int ParquetFile::require_column(const std::string& name) const {
  int i = column_index(name);
  if (i >= 0) return i;
  std::string list;
  for (auto& c : columns_) list += (list.empty() ? "" : ", ") + c.name;
  fail(cat(path_, ": column '", name, "' not found; columns are: ", list), "check the column name (case-sensitive)");
}

ColumnData ParquetFile::read_column(int rg, int col) const {
  row_group_num_rows(rg);
  if (col < 0 || size_t(col) >= columns_.size()) fail(cat(path_, ": column index ", col, " out of range"));
  const ColumnInfo& info = columns_[size_t(col)];
  const RowGroup& g = md_.row_groups[size_t(rg)];
  const ColumnChunk& cc = g.columns[size_t(col)];
  std::string ctx = cat(path_, ": column '", info.name, "': row group ", rg);
  if (info.nested() && !info.list())
    fail(cat(ctx, ": unsupported: nested column '", info.name, "' (lists or maps inside lists are not supported)"),
         "select other columns (libu data show --columns ...)");
  if (!cc.file_path.empty())
    fail(cat(ctx, ": column data in an external file ('", cc.file_path, "') is unsupported"), "merge the file first");
  const ColumnMetaData& m = cc.meta_data;
  if (g.num_rows == 0) {  // empty row group: nothing to read
    ColumnData empty;
    empty.physical = info.physical;
    return empty;
  }
  int64_t start = m.data_page_offset;
  if (m.dictionary_page_offset && *m.dictionary_page_offset > 0 && *m.dictionary_page_offset < start)
    start = *m.dictionary_page_offset;
  if (start < 4 || m.total_compressed_size < 0 || uint64_t(start) > file_size_ ||
      uint64_t(m.total_compressed_size) > file_size_ - uint64_t(start))
    fail(cat(ctx, ": column chunk (offset ", start, ", ", m.total_compressed_size, " bytes) lies outside the file (",
             file_size_, " bytes)"),
         "the file is truncated or its metadata is corrupt; re-download or re-export it");
  std::vector<uint8_t> chunk = read_range(uint64_t(start), uint64_t(m.total_compressed_size));
  return decode_column_chunk(chunk.data(), chunk.size(), info, m, g.num_rows, opt_, ctx);
}

std::vector<int> ParquetFile::resolve(const std::vector<std::string>& names) const {
  std::vector<int> idx;
  if (names.empty()) {
    for (size_t i = 0; i < columns_.size(); ++i) idx.push_back(int(i));
  } else {
    for (auto& n : names) idx.push_back(require_column(n));
  }
  return idx;
}

Table ParquetFile::read_row_group(int rg, const std::vector<std::string>& names) const {
  Table t;
  t.num_rows = size_t(row_group_num_rows(rg));
  for (int i : resolve(names)) {
    t.columns.push_back(columns_[size_t(i)]);
    t.data.push_back(read_column(rg, i));
  }
  return t;
}

Table ParquetFile::read_all(const std::vector<std::string>& names) const {
  Table t;
  for (int i : resolve(names)) {
    t.columns.push_back(columns_[size_t(i)]);
    ColumnData d;
    d.physical = columns_[size_t(i)].physical;
    t.data.push_back(d);
  }
  for (int rg = 0; rg < num_row_groups(); ++rg) {
    Table part = read_row_group(rg, names);
    t.append(part);
  }
  return t;
}

void decode_all_for_fuzzing(const uint8_t* data, size_t size) {
  auto f = ParquetFile::from_buffer(data, size, "<fuzz>");
  for (int rg = 0; rg < f->num_row_groups(); ++rg)
    for (size_t c = 0; c < f->columns().size(); ++c) {
      if (f->columns()[c].nested() && !f->columns()[c].list()) continue;
      ColumnData d = f->read_column(rg, int(c));
      for (size_t r = 0; r < d.size() && r < 64; ++r) (void)value_to_json(f->columns()[c], d, r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
}

}  // namespace libu::io::parquet
