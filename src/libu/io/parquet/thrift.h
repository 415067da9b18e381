// libu/io/parquet/thrift.h — a decoder for the Thrift compact protocol, as used by the
// Parquet footer and page headers (spec: thrift/doc/specs/thrift-compact-protocol.md).
// It reads from (bytes, size) and never reads out of bounds: every malformed input raises
// libu::Error naming `context` (usually "<file>: <what>") and the byte offset.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace libu::io::thrift {

// Compact-protocol wire types.
enum Type : uint8_t {
  T_STOP = 0,
  T_BOOL_TRUE = 1,
  T_BOOL_FALSE = 2,
  T_BYTE = 3,
  T_I16 = 4,
  T_I32 = 5,
  T_I64 = 6,
  T_DOUBLE = 7,
  T_BINARY = 8,
  T_LIST = 9,
  T_SET = 10,
  T_MAP = 11,
  T_STRUCT = 12,
};

struct FieldHeader {
  int16_t id = 0;
  uint8_t type = T_STOP;  // T_STOP ends the struct
  bool bool_value = false;  // for T_BOOL_TRUE / T_BOOL_FALSE, the value is in the header
};

struct ListHeader {
  uint8_t elem_type = 0;
  uint32_t size = 0;
};

class CompactReader {
 public:
  CompactReader(const uint8_t* data, size_t size, std::string context);

  // Structs: call begin_struct() before reading its fields and end_struct() after the
  // STOP field. Nesting deeper than kMaxDepth is an error (protects the stack).
  void begin_struct();
  void end_struct();
  FieldHeader read_field_header();

  bool read_bool(const FieldHeader& h) const;  // value of a bool field
  bool read_bool_element();                    // a bool inside a list
  int8_t read_byte();
  int16_t read_i16();
  int32_t read_i32();
  int64_t read_i64();
  double read_double();
  std::string read_binary();
  ListHeader read_list_header();  // also for sets

  // Skips one value of wire type `type` (recursively for containers/structs).
  void skip(uint8_t type);

  size_t position() const { return pos_; }
  size_t size() const { return size_; }
  const std::string& context() const { return context_; }
  [[noreturn]] void error(const std::string& what) const;

  static constexpr int kMaxDepth = 64;

 private:
  uint64_t read_varint();
  uint8_t read_u8();

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  std::string context_;
  std::vector<int16_t> last_field_;  // one entry per open struct
};

}  // namespace libu::io::thrift
