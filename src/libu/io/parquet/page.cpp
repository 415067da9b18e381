// libu/io/parquet/page.cpp — column chunk / page decoding (see page.h).
#include "libu/io/parquet/page.h"

#include <cstring>

#include "libu/core/error.h"
#include "libu/io/parquet/codecs.h"
#include "libu/io/parquet/encodings.h"

namespace libu::io::parquet {

bool ColumnInfo::is_string() const {
  if (physical != PhysicalType::BYTE_ARRAY && physical != PhysicalType::FIXED_LEN_BYTE_ARRAY) return false;
  if (logical.kind == 1 || logical.kind == 4 || logical.kind == 12) return true;
  if (converted_type && (*converted_type == converted::UTF8 || *converted_type == converted::ENUM ||
                         *converted_type == converted::JSON))
    return true;
  return false;
}

bool ColumnInfo::is_decimal() const {
  return logical.kind == 5 || (converted_type && *converted_type == converted::DECIMAL);
}

std::string ColumnInfo::type_string() const {
  std::string s = to_string(physical);
  if (physical == PhysicalType::FIXED_LEN_BYTE_ARRAY) s += cat("(", type_length, ")");
  if (is_decimal()) s += cat(" DECIMAL(", precision, ",", scale, ")");
  else if (is_string()) s += " STRING";
  else if (logical.kind == 10) s += cat(logical.is_signed ? " INT(" : " UINT(", logical.bit_width, ")");
  else if (logical.kind == 6 || (converted_type && *converted_type == converted::DATE)) s += " DATE";
  else if (logical.kind == 8) s += " TIMESTAMP";
  else if (logical.kind == 7) s += " TIME";
  else if (logical.kind == 15) s += " FLOAT16";
  else if (converted_type) s += cat(" CONVERTED(", *converted_type, ")");
  s += " ";
  s += to_string(repetition);
  if (nested()) s += " (nested)";
  return s;
}

void ColumnData::append(const ColumnData& o) {
  if (o.is_list()) {  // shift the other part's offsets past this part's elements
    if (offsets.empty()) offsets.push_back(0);
    const uint64_t base = offsets.back();
    for (size_t k = 1; k < o.offsets.size(); ++k) offsets.push_back(base + o.offsets[k]);
    elem_valid.insert(elem_valid.end(), o.elem_valid.begin(), o.elem_valid.end());
  }
  valid.insert(valid.end(), o.valid.begin(), o.valid.end());
  ints.insert(ints.end(), o.ints.begin(), o.ints.end());
  doubles.insert(doubles.end(), o.doubles.begin(), o.doubles.end());
  bytes.insert(bytes.end(), o.bytes.begin(), o.bytes.end());
}

namespace {

[[noreturn]] void corrupt(const std::string& ctx, const std::string& what) {
  fail(cat(ctx, ": ", what), "the file is damaged or was written incorrectly; re-export it");
}

template <typename T>
T load_le(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

bool is_unsigned(const ColumnInfo& c) {
  if (c.logical.kind == 10) return !c.logical.is_signed;
  return c.converted_type && (*c.converted_type >= converted::UINT_8 && *c.converted_type <= converted::UINT_64);
}

size_t fixed_width(const ColumnInfo& c) {
  switch (c.physical) {
    case PhysicalType::INT32:
    case PhysicalType::FLOAT: return 4;
    case PhysicalType::INT64:
    case PhysicalType::DOUBLE: return 8;
    case PhysicalType::INT96: return 12;
    case PhysicalType::FIXED_LEN_BYTE_ARRAY: return size_t(c.type_length);
    default: return 0;
  }
}

// Appends n fixed-width little-endian values (PLAIN layout) to vals.
void append_fixed(const uint8_t* d, size_t n, const ColumnInfo& c, ColumnData& vals) {
  size_t w = fixed_width(c);
  bool uns = is_unsigned(c);
  for (size_t i = 0; i < n; ++i, d += w) {
    switch (c.physical) {
      case PhysicalType::INT32:
        vals.ints.push_back(uns ? int64_t(load_le<uint32_t>(d)) : int64_t(load_le<int32_t>(d)));
        break;
      case PhysicalType::INT64: vals.ints.push_back(load_le<int64_t>(d)); break;
      case PhysicalType::FLOAT: vals.doubles.push_back(double(load_le<float>(d))); break;
      case PhysicalType::DOUBLE: vals.doubles.push_back(load_le<double>(d)); break;
      default: vals.bytes.emplace_back(reinterpret_cast<const char*>(d), w); break;
    }
  }
}

// PLAIN: returns bytes consumed.
size_t decode_plain(const uint8_t* d, size_t size, size_t n, const ColumnInfo& c, ColumnData& vals,
                    const std::string& ctx) {
  if (c.physical == PhysicalType::BOOLEAN) {
    size_t bytes = (n + 7) / 8;
    if (bytes > size) corrupt(ctx, cat("PLAIN booleans need ", bytes, " bytes, page has ", size));
    for (size_t i = 0; i < n; ++i) vals.ints.push_back((d[i >> 3] >> (i & 7)) & 1);
    return bytes;
  }
  if (c.physical == PhysicalType::BYTE_ARRAY) {
    size_t pos = 0;
    for (size_t i = 0; i < n; ++i) {
      if (size - pos < 4) corrupt(ctx, cat("PLAIN byte array ", i, " of ", n, " is truncated"));
      uint32_t len = load_le<uint32_t>(d + pos);
      pos += 4;
      if (len > size - pos) corrupt(ctx, cat("PLAIN byte array length ", len, " exceeds the page"));
      vals.bytes.emplace_back(reinterpret_cast<const char*>(d + pos), len);
      pos += len;
    }
    return pos;
  }
  size_t w = fixed_width(c);
  if (w == 0) corrupt(ctx, "FIXED_LEN_BYTE_ARRAY column has type_length 0");
  if (n > size / w) corrupt(ctx, cat("PLAIN data needs ", n, " values of ", w, " bytes, page has ", size, " bytes"));
  append_fixed(d, n, c, vals);
  return n * w;
}

size_t dict_size(const ColumnData& dict, const ColumnInfo& c) {
  switch (c.physical) {
    case PhysicalType::BOOLEAN:
    case PhysicalType::INT32:
    case PhysicalType::INT64: return dict.ints.size();
    case PhysicalType::FLOAT:
    case PhysicalType::DOUBLE: return dict.doubles.size();
    default: return dict.bytes.size();
  }
}

// Decodes n non-null values of a data page into vals.
void decode_values(Encoding enc, const uint8_t* d, size_t size, size_t n, const ColumnInfo& c,
                   const std::optional<ColumnData>& dict, ColumnData& vals, const std::string& ctx) {
  switch (enc) {
    case Encoding::PLAIN:
      decode_plain(d, size, n, c, vals, ctx);
      return;
    case Encoding::PLAIN_DICTIONARY:
    case Encoding::RLE_DICTIONARY: {
      if (!dict) corrupt(ctx, "dictionary-encoded page without a dictionary page");
      if (n == 0) return;
      if (size < 1) corrupt(ctx, "dictionary indices lack their bit width byte");
      int bw = d[0];
      if (bw > 32) corrupt(ctx, cat("dictionary index bit width ", bw, " > 32"));
      size_t nd = dict_size(*dict, c);
      std::vector<uint32_t> idx(n);
      RleDecoder(d + 1, size - 1, bw, ctx).decode(idx.data(), n);
      for (uint32_t i : idx)
        if (i >= nd) corrupt(ctx, cat("dictionary index ", i, " out of range (dictionary has ", nd, " entries)"));
      switch (c.physical) {
        case PhysicalType::BOOLEAN:
        case PhysicalType::INT32:
        case PhysicalType::INT64:
          for (uint32_t i : idx) vals.ints.push_back(dict->ints[i]);
          break;
        case PhysicalType::FLOAT:
        case PhysicalType::DOUBLE:
          for (uint32_t i : idx) vals.doubles.push_back(dict->doubles[i]);
          break;
        default:
          for (uint32_t i : idx) vals.bytes.push_back(dict->bytes[i]);
      }
      return;
    }
    case Encoding::RLE: {
      if (c.physical != PhysicalType::BOOLEAN) corrupt(ctx, "RLE value encoding is only valid for BOOLEAN");
      if (size < 4) corrupt(ctx, "RLE boolean data lacks its length prefix");
      uint32_t len = load_le<uint32_t>(d);
      if (len > size - 4) corrupt(ctx, cat("RLE boolean length ", len, " exceeds the page"));
      std::vector<uint32_t> v(n);
      RleDecoder(d + 4, len, 1, ctx).decode(v.data(), n);
      for (uint32_t b : v) vals.ints.push_back(b);
      return;
    }
    case Encoding::DELTA_BINARY_PACKED: {
      if (c.physical != PhysicalType::INT32 && c.physical != PhysicalType::INT64)
        corrupt(ctx, "DELTA_BINARY_PACKED is only valid for INT32/INT64");
      std::vector<int64_t> v;
      decode_delta_binary_packed(d, size, n, v, ctx);
      bool uns = is_unsigned(c);
      for (int64_t x : v) {
        if (c.physical == PhysicalType::INT32) x = uns ? int64_t(uint32_t(x)) : int64_t(int32_t(uint32_t(x)));
        vals.ints.push_back(x);
      }
      return;
    }
    case Encoding::DELTA_LENGTH_BYTE_ARRAY:
      if (c.physical != PhysicalType::BYTE_ARRAY) corrupt(ctx, "DELTA_LENGTH_BYTE_ARRAY is only valid for BYTE_ARRAY");
      decode_delta_length_byte_array(d, size, n, vals.bytes, ctx);
      return;
    case Encoding::DELTA_BYTE_ARRAY: {
      if (c.physical != PhysicalType::BYTE_ARRAY && c.physical != PhysicalType::FIXED_LEN_BYTE_ARRAY)
        corrupt(ctx, "DELTA_BYTE_ARRAY is only valid for byte arrays");
      decode_delta_byte_array(d, size, n, vals.bytes, ctx);
      return;
    }
    case Encoding::BYTE_STREAM_SPLIT: {
      size_t w = fixed_width(c);
      if (w == 0 || c.physical == PhysicalType::INT96) corrupt(ctx, "BYTE_STREAM_SPLIT on an unsupported type");
      // The streams span the whole page: stride = page bytes / width.
      if (size % w != 0) corrupt(ctx, cat("BYTE_STREAM_SPLIT page of ", size, " bytes is not a multiple of ", w));
      size_t total = size / w;
      if (total < n) corrupt(ctx, cat("BYTE_STREAM_SPLIT page holds ", total, " values, needs ", n));
      std::vector<uint8_t> buf(total * w);
      decode_byte_stream_split(d, size, total, w, buf.data(), ctx);
      append_fixed(buf.data(), n, c, vals);
      return;
    }
    default:
      fail(cat(ctx, ": unsupported encoding ", encoding_name(int32_t(enc))),
           "re-write the file with PLAIN or dictionary encoding");
  }
}

// Appends value k of vals to out (a default where absent).
void push_value(ColumnData& out, ColumnData& vals, size_t k, bool present, PhysicalType t) {
  switch (t) {
    case PhysicalType::BOOLEAN:
    case PhysicalType::INT32:
    case PhysicalType::INT64: out.ints.push_back(present ? vals.ints[k] : 0); break;
    case PhysicalType::FLOAT:
    case PhysicalType::DOUBLE: out.doubles.push_back(present ? vals.doubles[k] : 0.0); break;
    default: out.bytes.push_back(present ? std::move(vals.bytes[k]) : std::string()); break;
  }
}

// Appends rows: a value where def == max_def, else null.
void scatter(const std::vector<uint32_t>& def, int16_t max_def, size_t rows, ColumnData& vals, ColumnData& out,
             const ColumnInfo& c) {
  size_t k = 0;
  for (size_t r = 0; r < rows; ++r) {
    bool present = max_def == 0 || def[r] == uint32_t(max_def);
    out.valid.push_back(present ? 1 : 0);
    push_value(out, vals, k, present, c.physical);
    if (present) ++k;
  }
}

// Appends the level entries of a one-level list column (Dremel levels, max_rep 1): rep 0 starts
// a row, rep 1 continues it; an entry at def ≥ rep_def is an element (a value where def ==
// max_def, else a null element), def == rep_def − 1 an empty list, lower a null list. A row may
// continue from the previous page (v1 pages allow it), never from before the chunk.
void assemble_lists(const std::vector<uint32_t>& rep, const std::vector<uint32_t>& def, size_t n, ColumnData& vals,
                    ColumnData& out, const ColumnInfo& c, const std::string& ctx) {
  const uint32_t rep_def = uint32_t(c.rep_def), max_def = uint32_t(c.max_def);
  size_t k = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t r = rep[i], d = def[i];
    if (r > 1) corrupt(ctx, cat("repetition level ", r, " above the maximum 1"));
    if (r == 0) {
      out.offsets.push_back(out.offsets.back());  // a new row, empty so far
      out.valid.push_back(d + 1 >= rep_def ? 1 : 0);
    } else if (out.valid.empty()) {
      corrupt(ctx, "the column chunk starts in the middle of a list (repetition level 1)");
    } else if (d < rep_def) {
      corrupt(ctx, cat("a continued list entry has definition level ", d, ", below the element's ", rep_def));
    }
    if (d < rep_def) continue;
    const bool present = d == max_def;
    push_value(out, vals, k, present, c.physical);
    out.elem_valid.push_back(present ? 1 : 0);
    ++out.offsets.back();
    if (present) ++k;
  }
}

// The repetition or definition levels of a v1 data page, from buf[p..): RLE with a 4-byte length
// prefix, or the deprecated BIT_PACKED. Advances p past them.
void read_levels_v1(const std::vector<uint8_t>& buf, size_t& p, int16_t max_level, Encoding enc, const char* what,
                    std::vector<uint32_t>& out, size_t n, const std::string& ctx) {
  const int bw = bit_width_for(uint64_t(max_level));
  out.resize(n);
  if (enc == Encoding::RLE) {
    if (buf.size() - p < 4) corrupt(ctx, cat(what, " levels lack their length prefix"));
    uint32_t len = load_le<uint32_t>(buf.data() + p);
    if (len > buf.size() - p - 4) corrupt(ctx, cat(what, " levels length ", len, " exceeds the page"));
    RleDecoder(buf.data() + p + 4, len, bw, ctx).decode(out.data(), n);
    p += 4 + size_t(len);
  } else if (enc == Encoding::BIT_PACKED) {
    p += decode_bit_packed_msb(buf.data() + p, buf.size() - p, bw, out.data(), n, ctx);
  } else {
    corrupt(ctx, cat("unsupported ", what, " level encoding ", encoding_name(int32_t(enc))));
  }
}

size_t value_count(const ColumnData& v, const ColumnInfo& c) { return dict_size(v, c); }

}  // namespace

ColumnData decode_column_chunk(const uint8_t* chunk, size_t size, const ColumnInfo& col, const ColumnMetaData& md,
                               int64_t num_rows, const ReadOptions& opt, const std::string& ctx) {
  if (col.nested() && !col.list())
    fail(cat(ctx, ": unsupported: nested column '", col.name, "' (lists or maps inside lists are not supported)"),
         "select other columns, or flatten the data before export");
  if (md.num_values < 0 || num_rows < 0) corrupt(ctx, "negative value count");
  ColumnData out;
  out.physical = col.physical;
  if (col.list()) out.offsets.push_back(0);
  std::optional<ColumnData> dict;
  size_t pos = 0;
  int64_t rows_read = 0;
  int page_no = 0;
  while (pos < size && rows_read < md.num_values) {
    std::string pctx = cat(ctx, ": page ", page_no);
    size_t hlen = 0;
    PageHeader h = parse_page_header(chunk + pos, size - pos, &hlen, pctx);
    pos += hlen;
    size_t csize = size_t(h.compressed_page_size);
    if (csize > size - pos)
      corrupt(pctx, cat("page of ", csize, " bytes runs past the column chunk (", size - pos, " bytes left)"));
    const uint8_t* page = chunk + pos;
    pos += csize;
    ++page_no;
    if (h.crc && opt.verify_checksums) {
      uint32_t got = crc32_ieee(page, csize);
      if (got != *h.crc)
        fail(cat(pctx, ": page checksum mismatch (stored CRC32 ", *h.crc, ", computed ", got, ")"),
             "the file is corrupt; re-export it (or read it with checksum verification off to salvage it)");
    }
    if (h.type == PageType::DICTIONARY_PAGE) {
      if (!h.dictionary_page) corrupt(pctx, "dictionary page without a dictionary_page_header");
      if (dict) corrupt(pctx, "second dictionary page in one column chunk");
      const auto& dh = *h.dictionary_page;
      if (dh.num_values < 0) corrupt(pctx, cat("dictionary page has a negative value count (", dh.num_values, ")"));
      if (dh.encoding != Encoding::PLAIN && dh.encoding != Encoding::PLAIN_DICTIONARY)
        corrupt(pctx, cat("dictionary page encoding ", encoding_name(int32_t(dh.encoding)), " is not PLAIN"));
      std::vector<uint8_t> buf = decompress(md.codec, page, csize, size_t(h.uncompressed_page_size), pctx);
      ColumnData d;
      d.physical = col.physical;
      decode_plain(buf.data(), buf.size(), size_t(dh.num_values), col, d, pctx);
      dict = std::move(d);
      continue;
    }
    if (h.type != PageType::DATA_PAGE && h.type != PageType::DATA_PAGE_V2) continue;  // index pages, unknown

    std::vector<uint32_t> def, rep;
    std::vector<uint8_t> buf;
    const uint8_t* vdata = nullptr;
    size_t vsize = 0, nvals = 0;
    Encoding enc;
    if (h.type == PageType::DATA_PAGE) {
      if (!h.data_page) corrupt(pctx, "data page without a data_page_header");
      const auto& dp = *h.data_page;
      if (dp.num_values < 0) corrupt(pctx, cat("negative num_values ", dp.num_values));
      nvals = size_t(dp.num_values);
      enc = dp.encoding;
      buf = decompress(md.codec, page, csize, size_t(h.uncompressed_page_size), pctx);
      size_t p = 0;
      if (col.max_rep > 0) read_levels_v1(buf, p, col.max_rep, dp.repetition_level_encoding, "repetition", rep, nvals, pctx);
      if (col.max_def > 0) read_levels_v1(buf, p, col.max_def, dp.definition_level_encoding, "definition", def, nvals, pctx);
      vdata = buf.data() + p;
      vsize = buf.size() - p;
    } else {
      if (!h.data_page_v2) corrupt(pctx, "data page v2 without a data_page_header_v2");
      const auto& dp = *h.data_page_v2;
      if (dp.num_values < 0 || dp.num_nulls < 0 || dp.num_nulls > dp.num_values || dp.num_rows < 0)
        corrupt(pctx, "data page v2 has inconsistent value/null/row counts");
      if (dp.repetition_levels_byte_length < 0 || dp.definition_levels_byte_length < 0 ||
          size_t(dp.repetition_levels_byte_length) + size_t(dp.definition_levels_byte_length) > csize)
        corrupt(pctx, "data page v2 level lengths exceed the page");
      nvals = size_t(dp.num_values);
      enc = dp.encoding;
      size_t rl = size_t(dp.repetition_levels_byte_length), dl = size_t(dp.definition_levels_byte_length);
      if (col.max_rep > 0) {
        rep.resize(nvals);
        RleDecoder(page, rl, bit_width_for(uint64_t(col.max_rep)), pctx).decode(rep.data(), nvals);
      }
      if (col.max_def > 0) {
        def.resize(nvals);
        RleDecoder(page + rl, dl, bit_width_for(uint64_t(col.max_def)), pctx).decode(def.data(), nvals);
      }
      size_t levels = rl + dl;
      if (size_t(h.uncompressed_page_size) < levels) corrupt(pctx, "uncompressed page size smaller than its levels");
      size_t usize = size_t(h.uncompressed_page_size) - levels;
      const uint8_t* cdata = page + levels;
      size_t clen = csize - levels;
      if (dp.is_compressed && md.codec != Codec::UNCOMPRESSED && clen > 0) {
        buf = decompress(md.codec, cdata, clen, usize, pctx);
        vdata = buf.data();
        vsize = buf.size();
      } else {
        // Uncompressed values (or an empty page whose zero bytes must not be fed to the codec).
        vdata = cdata;
        vsize = clen;
      }
    }
    size_t present = nvals;
    if (col.max_def > 0) {
      present = 0;
      for (uint32_t l : def) {
        if (l > uint32_t(col.max_def)) corrupt(pctx, cat("definition level ", l, " above the maximum ", col.max_def));
        if (l == uint32_t(col.max_def)) ++present;
      }
    }
    if (h.type == PageType::DATA_PAGE_V2 && size_t(h.data_page_v2->num_nulls) != nvals - present &&
        col.max_def > 0)
      corrupt(pctx, cat("data page v2 says ", h.data_page_v2->num_nulls, " nulls, levels say ", nvals - present));
    if (col.repetition == Repetition::REQUIRED && col.max_def == 0 && h.type == PageType::DATA_PAGE_V2 &&
        h.data_page_v2->num_nulls > 0)
      corrupt(pctx, cat("required column '", col.name, "' contains nulls"));
    ColumnData vals;
    vals.physical = col.physical;
    static const uint8_t kEmpty[1] = {0};
    decode_values(enc, vdata ? vdata : kEmpty, vsize, present, col, dict, vals, pctx);
    if (value_count(vals, col) != present)
      corrupt(pctx, cat("decoded ", value_count(vals, col), " values, expected ", present));
    if (col.list())
      assemble_lists(rep, def, nvals, vals, out, col, pctx);
    else
      scatter(def, col.max_def, nvals, vals, out, col);
    rows_read += int64_t(nvals);
  }
  if (rows_read != md.num_values)
    corrupt(ctx, cat("column chunk holds ", rows_read, " values, its metadata says ", md.num_values));
  if (int64_t(out.size()) != num_rows)
    corrupt(ctx, cat("column '", col.name, "' has ", out.size(), " rows, the row group has ", num_rows, " rows"));
  return out;
}

}  // namespace libu::io::parquet
