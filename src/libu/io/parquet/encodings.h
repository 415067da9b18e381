// libu/io/parquet/encodings.h — Parquet value and level encodings (parquet-format
// Encodings.md): the RLE/bit-packed hybrid (levels, dictionary indices, booleans), legacy
// BIT_PACKED levels, DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and
// BYTE_STREAM_SPLIT. PLAIN is decoded in page.cpp. All decoders are bounds-checked and raise
// libu::Error naming `ctx` (file and column) on corrupt input.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace libu::io::parquet {

// Number of bits needed to store values 0..max_value.
int bit_width_for(uint64_t max_value);

// The RLE / bit-packed hybrid without a length prefix (the caller strips it).
class RleDecoder {
 public:
  RleDecoder(const uint8_t* data, size_t size, int bit_width, const std::string& ctx);
  // Decodes exactly n values into out; raises Error when the data runs out.
  void decode(uint32_t* out, size_t n);

 private:
  bool next_run();
  const uint8_t* data_;
  size_t size_, pos_ = 0;
  int bw_;
  const std::string& ctx_;
  // current run
  bool rle_ = false;
  size_t left_ = 0;       // values left in the run
  uint32_t value_ = 0;    // RLE value
  size_t bitpos_ = 0;     // bit-packed: bit offset of the next value from data_
  size_t run_end_bit_ = 0;  // bit-packed: end of the run's available bits
};

// Legacy BIT_PACKED levels (most significant bit first). Returns the bytes consumed.
size_t decode_bit_packed_msb(const uint8_t* data, size_t size, int bit_width, uint32_t* out, size_t n,
                             const std::string& ctx);

// DELTA_BINARY_PACKED: decodes every value of the stream (its header's total count must
// equal `expected`), as 64-bit two's complement (callers truncate for INT32). Returns the
// bytes consumed so following streams can be located.
size_t decode_delta_binary_packed(const uint8_t* data, size_t size, size_t expected, std::vector<int64_t>& out,
                                  const std::string& ctx);
// DELTA_LENGTH_BYTE_ARRAY: lengths (delta-packed) then the concatenated bytes.
size_t decode_delta_length_byte_array(const uint8_t* data, size_t size, size_t n, std::vector<std::string>& out,
                                      const std::string& ctx);
// DELTA_BYTE_ARRAY: prefix lengths (delta-packed), then suffixes (DELTA_LENGTH_BYTE_ARRAY).
size_t decode_delta_byte_array(const uint8_t* data, size_t size, size_t n, std::vector<std::string>& out,
                               const std::string& ctx);
// BYTE_STREAM_SPLIT: n values of `width` bytes; byte k of value i is at data[k*n + i].
// Writes n*width bytes to out (values in order, little-endian as PLAIN).
void decode_byte_stream_split(const uint8_t* data, size_t size, size_t n, size_t width, uint8_t* out,
                              const std::string& ctx);

}  // namespace libu::io::parquet
