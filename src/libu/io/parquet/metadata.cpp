// libu/io/parquet/metadata.cpp — FileMetaData / PageHeader decoding (field ids from
// parquet-format's parquet.thrift).
#include "libu/io/parquet/metadata.h"

#include "libu/core/error.h"
#include "libu/io/parquet/thrift.h"

namespace libu::io::parquet {

using thrift::CompactReader;
using thrift::FieldHeader;

namespace {

// Reads the fields of a struct, calling fn(header) for each; fn returns false to skip.
template <typename Fn>
void read_struct(CompactReader& r, Fn fn) {
  r.begin_struct();
  for (;;) {
    FieldHeader h = r.read_field_header();
    if (h.type == thrift::T_STOP) break;
    if (!fn(h)) r.skip(h.type);
  }
  r.end_struct();
}

void expect(CompactReader& r, const FieldHeader& h, uint8_t type, const char* field) {
  bool ok = h.type == type;
  if (type == thrift::T_BOOL_TRUE) ok = h.type == thrift::T_BOOL_TRUE || h.type == thrift::T_BOOL_FALSE;
  if (type == thrift::T_LIST) ok = h.type == thrift::T_LIST || h.type == thrift::T_SET;
  if (!ok) r.error(cat("field '", field, "' has wire type ", int(h.type), ", expected ", int(type)));
}

template <typename Fn>
void read_list(CompactReader& r, uint8_t elem_type, const char* field, Fn fn) {
  thrift::ListHeader l = r.read_list_header();
  if (l.elem_type != elem_type) r.error(cat("list '", field, "' has element type ", int(l.elem_type)));
  for (uint32_t i = 0; i < l.size; ++i) fn();
}

int32_t read_enum(CompactReader& r, const FieldHeader& h, const char* field) {
  expect(r, h, thrift::T_I32, field);
  return r.read_i32();
}

KeyValue read_key_value(CompactReader& r) {
  KeyValue kv;
  read_struct(r, [&](const FieldHeader& h) {
    if (h.id == 1 && h.type == thrift::T_BINARY) kv.key = r.read_binary();
    else if (h.id == 2 && h.type == thrift::T_BINARY) kv.value = r.read_binary();
    else return false;
    return true;
  });
  return kv;
}

std::vector<KeyValue> read_kv_list(CompactReader& r) {
  std::vector<KeyValue> out;
  read_list(r, thrift::T_STRUCT, "key_value_metadata", [&] { out.push_back(read_key_value(r)); });
  return out;
}

LogicalType read_logical(CompactReader& r) {
  LogicalType lt;
  read_struct(r, [&](const FieldHeader& h) {
    if (h.type != thrift::T_STRUCT) return false;
    lt.kind = h.id;
    if (h.id == 5) {  // DecimalType {1: scale, 2: precision}
      read_struct(r, [&](const FieldHeader& f) {
        if (f.id == 1 && f.type == thrift::T_I32) lt.scale = r.read_i32();
        else if (f.id == 2 && f.type == thrift::T_I32) lt.precision = r.read_i32();
        else return false;
        return true;
      });
      return true;
    }
    if (h.id == 7 || h.id == 8) {  // TimeType / TimestampType {1: isAdjustedToUTC, 2: unit}
      read_struct(r, [&](const FieldHeader& f) {
        if (f.id == 1 && (f.type == thrift::T_BOOL_TRUE || f.type == thrift::T_BOOL_FALSE)) {
          lt.utc = r.read_bool(f);
          return true;
        }
        if (f.id == 2 && f.type == thrift::T_STRUCT) {
          read_struct(r, [&](const FieldHeader& u) {
            lt.time_unit = u.id;
            return false;
          });
          return true;
        }
        return false;
      });
      return true;
    }
    if (h.id == 10) {  // IntType {1: bitWidth i8, 2: isSigned}
      read_struct(r, [&](const FieldHeader& f) {
        if (f.id == 1 && f.type == thrift::T_BYTE) lt.bit_width = r.read_byte();
        else if (f.id == 2 && (f.type == thrift::T_BOOL_TRUE || f.type == thrift::T_BOOL_FALSE)) lt.is_signed = r.read_bool(f);
        else return false;
        return true;
      });
      return true;
    }
    return false;  // empty structs (STRING, ...) and unknown kinds: skip the body
  });
  return lt;
}

SchemaElement read_schema_element(CompactReader& r) {
  SchemaElement e;
  read_struct(r, [&](const FieldHeader& h) {
    switch (h.id) {
      case 1: {
        int32_t t = read_enum(r, h, "SchemaElement.type");
        if (t < 0 || t > 7) r.error(cat("unknown physical type ", t));
        e.type = PhysicalType(t);
        return true;
      }
      case 2: expect(r, h, thrift::T_I32, "type_length"); e.type_length = r.read_i32(); return true;
      case 3: {
        int32_t t = read_enum(r, h, "repetition_type");
        if (t < 0 || t > 2) r.error(cat("unknown repetition type ", t));
        e.repetition = Repetition(t);
        return true;
      }
      case 4: expect(r, h, thrift::T_BINARY, "name"); e.name = r.read_binary(); return true;
      case 5: expect(r, h, thrift::T_I32, "num_children"); e.num_children = r.read_i32(); return true;
      case 6: e.converted_type = read_enum(r, h, "converted_type"); return true;
      case 7: expect(r, h, thrift::T_I32, "scale"); e.scale = r.read_i32(); return true;
      case 8: expect(r, h, thrift::T_I32, "precision"); e.precision = r.read_i32(); return true;
      case 10: expect(r, h, thrift::T_STRUCT, "logicalType"); e.logical = read_logical(r); return true;
      default: return false;
    }
  });
  return e;
}

ColumnMetaData read_column_meta(CompactReader& r) {
  ColumnMetaData m;
  read_struct(r, [&](const FieldHeader& h) {
    switch (h.id) {
      case 1: {
        int32_t t = read_enum(r, h, "ColumnMetaData.type");
        if (t < 0 || t > 7) r.error(cat("unknown physical type ", t));
        m.type = PhysicalType(t);
        return true;
      }
      case 2:
        expect(r, h, thrift::T_LIST, "encodings");
        read_list(r, thrift::T_I32, "encodings", [&] { m.encodings.push_back(Encoding(r.read_i32())); });
        return true;
      case 3:
        expect(r, h, thrift::T_LIST, "path_in_schema");
        read_list(r, thrift::T_BINARY, "path_in_schema", [&] { m.path_in_schema.push_back(r.read_binary()); });
        return true;
      case 4: m.codec = Codec(read_enum(r, h, "codec")); return true;
      case 5: expect(r, h, thrift::T_I64, "num_values"); m.num_values = r.read_i64(); return true;
      case 6: expect(r, h, thrift::T_I64, "total_uncompressed_size"); m.total_uncompressed_size = r.read_i64(); return true;
      case 7: expect(r, h, thrift::T_I64, "total_compressed_size"); m.total_compressed_size = r.read_i64(); return true;
      case 8: expect(r, h, thrift::T_LIST, "key_value_metadata"); m.key_value_metadata = read_kv_list(r); return true;
      case 9: expect(r, h, thrift::T_I64, "data_page_offset"); m.data_page_offset = r.read_i64(); return true;
      case 10: expect(r, h, thrift::T_I64, "index_page_offset"); m.index_page_offset = r.read_i64(); return true;
      case 11: expect(r, h, thrift::T_I64, "dictionary_page_offset"); m.dictionary_page_offset = r.read_i64(); return true;
      default: return false;
    }
  });
  return m;
}

ColumnChunk read_column_chunk(CompactReader& r) {
  ColumnChunk c;
  read_struct(r, [&](const FieldHeader& h) {
    switch (h.id) {
      case 1: expect(r, h, thrift::T_BINARY, "file_path"); c.file_path = r.read_binary(); return true;
      case 2: expect(r, h, thrift::T_I64, "file_offset"); c.file_offset = r.read_i64(); return true;
      case 3:
        expect(r, h, thrift::T_STRUCT, "meta_data");
        c.meta_data = read_column_meta(r);
        c.has_meta_data = true;
        return true;
      default: return false;
    }
  });
  return c;
}

RowGroup read_row_group(CompactReader& r) {
  RowGroup g;
  read_struct(r, [&](const FieldHeader& h) {
    switch (h.id) {
      case 1:
        expect(r, h, thrift::T_LIST, "columns");
        read_list(r, thrift::T_STRUCT, "columns", [&] { g.columns.push_back(read_column_chunk(r)); });
        return true;
      case 2: expect(r, h, thrift::T_I64, "total_byte_size"); g.total_byte_size = r.read_i64(); return true;
      case 3: expect(r, h, thrift::T_I64, "num_rows"); g.num_rows = r.read_i64(); return true;
      default: return false;
    }
  });
  return g;
}

}  // namespace

FileMetaData parse_file_metadata(const uint8_t* data, size_t size, const std::string& context) {
  CompactReader r(data, size, context);
  FileMetaData md;
  bool has_schema = false, has_rows = false;
  read_struct(r, [&](const FieldHeader& h) {
    switch (h.id) {
      case 1: expect(r, h, thrift::T_I32, "version"); md.version = r.read_i32(); return true;
      case 2:
        expect(r, h, thrift::T_LIST, "schema");
        read_list(r, thrift::T_STRUCT, "schema", [&] { md.schema.push_back(read_schema_element(r)); });
        has_schema = true;
        return true;
      case 3: expect(r, h, thrift::T_I64, "num_rows"); md.num_rows = r.read_i64(); has_rows = true; return true;
      case 4:
        expect(r, h, thrift::T_LIST, "row_groups");
        read_list(r, thrift::T_STRUCT, "row_groups", [&] { md.row_groups.push_back(read_row_group(r)); });
        return true;
      case 5: expect(r, h, thrift::T_LIST, "key_value_metadata"); md.key_value_metadata = read_kv_list(r); return true;
      case 6: expect(r, h, thrift::T_BINARY, "created_by"); md.created_by = r.read_binary(); return true;
      case 8: md.encrypted = true; return false;
      default: return false;
    }
  });
  if (!has_schema || md.schema.empty()) r.error("FileMetaData has no schema");
  if (!has_rows) r.error("FileMetaData has no num_rows");
  return md;
}

PageHeader parse_page_header(const uint8_t* data, size_t size, size_t* consumed,
                             const std::string& context) {
  CompactReader r(data, size, context);
  PageHeader p;
  bool has_type = false, has_u = false, has_c = false;
  read_struct(r, [&](const FieldHeader& h) {
    switch (h.id) {
      case 1: p.type_raw = read_enum(r, h, "PageHeader.type"); p.type = PageType(p.type_raw); has_type = true; return true;
      case 2: expect(r, h, thrift::T_I32, "uncompressed_page_size"); p.uncompressed_page_size = r.read_i32(); has_u = true; return true;
      case 3: expect(r, h, thrift::T_I32, "compressed_page_size"); p.compressed_page_size = r.read_i32(); has_c = true; return true;
      case 4: expect(r, h, thrift::T_I32, "crc"); p.crc = uint32_t(r.read_i32()); return true;
      case 5: {
        expect(r, h, thrift::T_STRUCT, "data_page_header");
        DataPageHeader d;
        read_struct(r, [&](const FieldHeader& f) {
          switch (f.id) {
            case 1: expect(r, f, thrift::T_I32, "num_values"); d.num_values = r.read_i32(); return true;
            case 2: d.encoding = Encoding(read_enum(r, f, "encoding")); return true;
            case 3: d.definition_level_encoding = Encoding(read_enum(r, f, "definition_level_encoding")); return true;
            case 4: d.repetition_level_encoding = Encoding(read_enum(r, f, "repetition_level_encoding")); return true;
            default: return false;
          }
        });
        p.data_page = d;
        return true;
      }
      case 7: {
        expect(r, h, thrift::T_STRUCT, "dictionary_page_header");
        DictionaryPageHeader d;
        read_struct(r, [&](const FieldHeader& f) {
          switch (f.id) {
            case 1: expect(r, f, thrift::T_I32, "num_values"); d.num_values = r.read_i32(); return true;
            case 2: d.encoding = Encoding(read_enum(r, f, "encoding")); return true;
            default: return false;
          }
        });
        p.dictionary_page = d;
        return true;
      }
      case 8: {
        expect(r, h, thrift::T_STRUCT, "data_page_header_v2");
        DataPageHeaderV2 d;
        read_struct(r, [&](const FieldHeader& f) {
          switch (f.id) {
            case 1: expect(r, f, thrift::T_I32, "num_values"); d.num_values = r.read_i32(); return true;
            case 2: expect(r, f, thrift::T_I32, "num_nulls"); d.num_nulls = r.read_i32(); return true;
            case 3: expect(r, f, thrift::T_I32, "num_rows"); d.num_rows = r.read_i32(); return true;
            case 4: d.encoding = Encoding(read_enum(r, f, "encoding")); return true;
            case 5: expect(r, f, thrift::T_I32, "definition_levels_byte_length"); d.definition_levels_byte_length = r.read_i32(); return true;
            case 6: expect(r, f, thrift::T_I32, "repetition_levels_byte_length"); d.repetition_levels_byte_length = r.read_i32(); return true;
            case 7: expect(r, f, thrift::T_BOOL_TRUE, "is_compressed"); d.is_compressed = r.read_bool(f); return true;
            default: return false;
          }
        });
        p.data_page_v2 = d;
        return true;
      }
      default: return false;
    }
  });
  if (!has_type || !has_u || !has_c) r.error("page header lacks type or sizes");
  if (p.uncompressed_page_size < 0 || p.compressed_page_size < 0) r.error("negative page size");
  *consumed = r.position();
  return p;
}

const char* to_string(PhysicalType t) {
  switch (t) {
    case PhysicalType::BOOLEAN: return "BOOLEAN";
    case PhysicalType::INT32: return "INT32";
    case PhysicalType::INT64: return "INT64";
    case PhysicalType::INT96: return "INT96";
    case PhysicalType::FLOAT: return "FLOAT";
    case PhysicalType::DOUBLE: return "DOUBLE";
    case PhysicalType::BYTE_ARRAY: return "BYTE_ARRAY";
    case PhysicalType::FIXED_LEN_BYTE_ARRAY: return "FIXED_LEN_BYTE_ARRAY";
  }
  return "?";
}

const char* to_string(Codec c) {
  switch (c) {
    case Codec::UNCOMPRESSED: return "UNCOMPRESSED";
    case Codec::SNAPPY: return "SNAPPY";
    case Codec::GZIP: return "GZIP";
    case Codec::LZO: return "LZO";
    case Codec::BROTLI: return "BROTLI";
    case Codec::LZ4: return "LZ4";
    case Codec::ZSTD: return "ZSTD";
    case Codec::LZ4_RAW: return "LZ4_RAW";
  }
  return "UNKNOWN_CODEC";
}

const char* to_string(Encoding e) {
  switch (e) {
    case Encoding::PLAIN: return "PLAIN";
    case Encoding::PLAIN_DICTIONARY: return "PLAIN_DICTIONARY";
    case Encoding::RLE: return "RLE";
    case Encoding::BIT_PACKED: return "BIT_PACKED";
    case Encoding::DELTA_BINARY_PACKED: return "DELTA_BINARY_PACKED";
    case Encoding::DELTA_LENGTH_BYTE_ARRAY: return "DELTA_LENGTH_BYTE_ARRAY";
    case Encoding::DELTA_BYTE_ARRAY: return "DELTA_BYTE_ARRAY";
    case Encoding::RLE_DICTIONARY: return "RLE_DICTIONARY";
    case Encoding::BYTE_STREAM_SPLIT: return "BYTE_STREAM_SPLIT";
  }
  return "UNKNOWN_ENCODING";
}

const char* to_string(Repetition r) {
  switch (r) {
    case Repetition::REQUIRED: return "REQUIRED";
    case Repetition::OPTIONAL: return "OPTIONAL";
    case Repetition::REPEATED: return "REPEATED";
  }
  return "?";
}

std::string encoding_name(int32_t raw) {
  std::string s = to_string(Encoding(raw));
  if (s == "UNKNOWN_ENCODING") return cat("ENCODING(", raw, ")");
  return s;
}

}  // namespace libu::io::parquet
