// libu/io/parquet/thrift.cpp — Thrift compact protocol decoder (see thrift.h).
#include "libu/io/parquet/thrift.h"

#include <cstring>

#include "libu/core/error.h"

namespace libu::io::thrift {

CompactReader::CompactReader(const uint8_t* data, size_t size, std::string context)
    : data_(data), size_(size), context_(std::move(context)) {}

void CompactReader::error(const std::string& what) const {
  fail(cat(context_, ": corrupt thrift metadata at byte ", pos_, " of ", size_, ": ", what),
       "the file is truncated or not a valid parquet file; re-export it (e.g. with pyarrow)");
}

uint8_t CompactReader::read_u8() {
  if (pos_ >= size_) error("unexpected end of data");
  return data_[pos_++];
}

uint64_t CompactReader::read_varint() {
  uint64_t v = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    uint8_t b = read_u8();
    if (shift == 63 && (b & 0x7e)) error("varint overflows 64 bits");
    v |= uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  error("varint longer than 10 bytes");
}

static int64_t unzigzag(uint64_t v) { return int64_t(v >> 1) ^ -int64_t(v & 1); }

void CompactReader::begin_struct() {
  if (int(last_field_.size()) >= kMaxDepth) error("structs nested too deeply");
  last_field_.push_back(0);
}

void CompactReader::end_struct() {
  if (last_field_.empty()) error("unbalanced struct end");
  last_field_.pop_back();
}

FieldHeader CompactReader::read_field_header() {
  if (last_field_.empty()) error("field read outside a struct");
  FieldHeader h;
  uint8_t b = read_u8();
  h.type = b & 0x0f;
  if (h.type == T_STOP) return h;
  uint8_t delta = b >> 4;
  if (delta) {
    h.id = int16_t(last_field_.back() + delta);
  } else {
    int64_t id = unzigzag(read_varint());
    if (id < INT16_MIN || id > INT16_MAX) error("field id out of range");
    h.id = int16_t(id);
  }
  if (h.type > T_STRUCT) error(cat("unknown field type ", int(h.type)));
  if (h.type == T_BOOL_TRUE || h.type == T_BOOL_FALSE) h.bool_value = h.type == T_BOOL_TRUE;
  last_field_.back() = h.id;
  return h;
}

bool CompactReader::read_bool(const FieldHeader& h) const {
  if (h.type != T_BOOL_TRUE && h.type != T_BOOL_FALSE) error("expected a bool field");
  return h.bool_value;
}

bool CompactReader::read_bool_element() { return read_u8() == 1; }
int8_t CompactReader::read_byte() { return int8_t(read_u8()); }

int16_t CompactReader::read_i16() {
  int64_t v = unzigzag(read_varint());
  if (v < INT16_MIN || v > INT16_MAX) error("i16 out of range");
  return int16_t(v);
}

int32_t CompactReader::read_i32() {
  int64_t v = unzigzag(read_varint());
  if (v < INT32_MIN || v > INT32_MAX) error("i32 out of range");
  return int32_t(v);
}

int64_t CompactReader::read_i64() { return unzigzag(read_varint()); }

double CompactReader::read_double() {
  if (size_ - pos_ < 8) error("unexpected end of data in a double");
  double d;
  std::memcpy(&d, data_ + pos_, 8);
  pos_ += 8;
  return d;
}

std::string CompactReader::read_binary() {
  uint64_t n = read_varint();
  if (n > size_ - pos_) error(cat("string length ", n, " exceeds the remaining ", size_ - pos_, " bytes"));
  std::string s(reinterpret_cast<const char*>(data_ + pos_), size_t(n));
  pos_ += size_t(n);
  return s;
}

ListHeader CompactReader::read_list_header() {
  uint8_t b = read_u8();
  ListHeader l;
  l.elem_type = b & 0x0f;
  uint64_t n = b >> 4;
  if (n == 15) n = read_varint();
  // Every element takes at least one byte, except bools-in-header which do not exist in
  // lists, so a size above the remaining bytes is corrupt (and guards huge reserves).
  if (n > size_ - pos_) error(cat("list size ", n, " exceeds the remaining ", size_ - pos_, " bytes"));
  if (l.elem_type == T_STOP || l.elem_type > T_STRUCT) error(cat("unknown list element type ", int(l.elem_type)));
  l.size = uint32_t(n);
  return l;
}

void CompactReader::skip(uint8_t type) {
  switch (type) {
    case T_BOOL_TRUE:
    case T_BOOL_FALSE:
      return;  // field-header bools carry their value; list bools are handled below
    case T_BYTE:
      read_u8();
      return;
    case T_I16:
    case T_I32:
    case T_I64:
      read_varint();
      return;
    case T_DOUBLE:
      read_double();
      return;
    case T_BINARY: {
      uint64_t n = read_varint();
      if (n > size_ - pos_) error("binary length exceeds the data");
      pos_ += size_t(n);
      return;
    }
    case T_LIST:
    case T_SET: {
      ListHeader l = read_list_header();
      if (int(last_field_.size()) >= kMaxDepth) error("containers nested too deeply");
      last_field_.push_back(0);  // depth accounting only
      for (uint32_t i = 0; i < l.size; ++i) {
        if (l.elem_type == T_BOOL_TRUE || l.elem_type == T_BOOL_FALSE) read_u8();
        else skip(l.elem_type);
      }
      last_field_.pop_back();
      return;
    }
    case T_MAP: {
      uint64_t n = read_varint();
      if (n == 0) return;
      if (n > size_ - pos_) error("map size exceeds the data");
      uint8_t kv = read_u8();
      uint8_t kt = kv >> 4, vt = kv & 0x0f;
      if (kt == 0 || kt > T_STRUCT || vt == 0 || vt > T_STRUCT) error("unknown map key/value type");
      if (int(last_field_.size()) >= kMaxDepth) error("containers nested too deeply");
      last_field_.push_back(0);
      for (uint64_t i = 0; i < n; ++i) {
        if (kt <= T_BOOL_FALSE) read_u8(); else skip(kt);
        if (vt <= T_BOOL_FALSE) read_u8(); else skip(vt);
      }
      last_field_.pop_back();
      return;
    }
    case T_STRUCT: {
      begin_struct();
      for (;;) {
        FieldHeader h = read_field_header();
        if (h.type == T_STOP) break;
        skip(h.type);
      }
      end_struct();
      return;
    }
    default:
      error(cat("cannot skip unknown type ", int(type)));
  }
}

}  // namespace libu::io::thrift
