// libu/io/parquet/encodings.cpp — see encodings.h.
#include "libu/io/parquet/encodings.h"

#include <algorithm>

#include "libu/core/error.h"

namespace libu::io::parquet {

namespace {

[[noreturn]] void corrupt(const std::string& ctx, const std::string& what) {
  fail(cat(ctx, ": corrupt page data: ", what), "the file is damaged; re-export it");
}

// Reads `bw` (<= 64) bits starting at bit `bitpos`, least significant bit first.
// The caller guarantees the bits lie inside the buffer.
inline uint64_t get_bits(const uint8_t* p, size_t bitpos, int bw) {
  uint64_t v = 0;
  int got = 0;
  size_t byte = bitpos >> 3;
  int shift = int(bitpos & 7);
  while (got < bw) {
    int take = std::min(8 - shift, bw - got);
    uint64_t b = (uint64_t(p[byte]) >> shift) & ((1u << take) - 1);
    v |= b << got;
    got += take;
    shift = 0;
    ++byte;
  }
  return v;
}

uint64_t read_uleb(const uint8_t* d, size_t size, size_t& pos, const std::string& ctx) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos >= size) corrupt(ctx, "truncated varint");
    uint8_t b = d[pos++];
    v |= uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  corrupt(ctx, "varint too long");
}

int64_t zigzag(uint64_t v) { return int64_t(v >> 1) ^ -int64_t(v & 1); }

}  // namespace

int bit_width_for(uint64_t max_value) {
  int w = 0;
  while (max_value) ++w, max_value >>= 1;
  return w;
}

RleDecoder::RleDecoder(const uint8_t* data, size_t size, int bit_width, const std::string& ctx)
    : data_(data), size_(size), bw_(bit_width), ctx_(ctx) {
  if (bw_ < 0 || bw_ > 32) corrupt(ctx_, cat("RLE bit width ", bw_, " outside 0..32"));
}

bool RleDecoder::next_run() {
  if (pos_ >= size_) return false;
  uint64_t header = read_uleb(data_, size_, pos_, ctx_);
  if (header & 1) {
    uint64_t groups = header >> 1;
    if (groups == 0) corrupt(ctx_, "empty bit-packed run");
    if (groups > (uint64_t(1) << 40)) corrupt(ctx_, "bit-packed run too long");
    size_t bytes = size_t(groups) * size_t(bw_);  // 8 values × bw bits = bw bytes per group
    size_t avail = std::min(bytes, size_ - pos_);  // tolerate a short final run
    rle_ = false;
    bitpos_ = pos_ * 8;
    run_end_bit_ = (pos_ + avail) * 8;
    left_ = bw_ == 0 ? size_t(groups) * 8 : std::min<size_t>(size_t(groups) * 8, avail * 8 / size_t(bw_));
    pos_ += avail;
  } else {
    uint64_t count = header >> 1;
    if (count == 0) corrupt(ctx_, "empty RLE run");
    size_t nbytes = size_t((bw_ + 7) / 8);
    if (size_ - pos_ < nbytes) corrupt(ctx_, "truncated RLE run value");
    uint32_t v = 0;
    for (size_t i = 0; i < nbytes; ++i) v |= uint32_t(data_[pos_ + i]) << (8 * i);
    pos_ += nbytes;
    if (bw_ < 32 && (v >> bw_) != 0) corrupt(ctx_, cat("RLE value ", v, " wider than ", bw_, " bits"));
    rle_ = true;
    value_ = v;
    left_ = size_t(std::min<uint64_t>(count, uint64_t(SIZE_MAX / 2)));
  }
  return true;
}

void RleDecoder::decode(uint32_t* out, size_t n) {
  size_t i = 0;
  while (i < n) {
    if (left_ == 0 && !next_run())
      corrupt(ctx_, cat("RLE/bit-packed data ends after ", i, " of ", n, " values"));
    size_t take = std::min(left_, n - i);
    if (rle_) {
      std::fill(out + i, out + i + take, value_);
    } else if (bw_ == 0) {
      std::fill(out + i, out + i + take, 0u);
    } else {
      for (size_t k = 0; k < take; ++k) {
        out[i + k] = uint32_t(get_bits(data_, bitpos_, bw_));
        bitpos_ += size_t(bw_);
      }
    }
    left_ -= take;
    i += take;
  }
}

size_t decode_bit_packed_msb(const uint8_t* data, size_t size, int bw, uint32_t* out, size_t n,
                             const std::string& ctx) {
  if (bw < 0 || bw > 32) corrupt(ctx, "bit width outside 0..32");
  size_t bytes = (n * size_t(bw) + 7) / 8;
  if (bytes > size) corrupt(ctx, cat("BIT_PACKED levels need ", bytes, " bytes, page has ", size));
  size_t bit = 0;
  for (size_t i = 0; i < n; ++i) {
    uint32_t v = 0;
    for (int k = 0; k < bw; ++k, ++bit) v = (v << 1) | ((data[bit >> 3] >> (7 - (bit & 7))) & 1u);
    out[i] = v;
  }
  return bytes;
}

size_t decode_delta_binary_packed(const uint8_t* d, size_t size, size_t expected, std::vector<int64_t>& out,
                                  const std::string& ctx) {
  size_t pos = 0;
  uint64_t block_size = read_uleb(d, size, pos, ctx);
  uint64_t minis = read_uleb(d, size, pos, ctx);
  uint64_t total = read_uleb(d, size, pos, ctx);
  uint64_t first = uint64_t(zigzag(read_uleb(d, size, pos, ctx)));
  if (block_size == 0 || minis == 0 || block_size % minis != 0 || (block_size / minis) % 8 != 0 ||
      block_size > (1u << 20))
    corrupt(ctx, cat("DELTA_BINARY_PACKED block size ", block_size, " with ", minis, " miniblocks is invalid"));
  if (total != expected)
    corrupt(ctx, cat("DELTA_BINARY_PACKED stream holds ", total, " values, the page needs ", expected));
  size_t per_mini = size_t(block_size / minis);
  size_t base = out.size();
  out.reserve(base + size_t(total));
  if (total == 0) return pos;
  out.push_back(int64_t(first));
  uint64_t prev = first;
  size_t left = size_t(total) - 1;
  while (left > 0) {
    uint64_t min_delta = uint64_t(zigzag(read_uleb(d, size, pos, ctx)));
    if (size - pos < minis) corrupt(ctx, "truncated DELTA_BINARY_PACKED bit widths");
    const uint8_t* widths = d + pos;
    pos += size_t(minis);
    for (size_t m = 0; m < minis && left > 0; ++m) {
      int bw = widths[m];
      if (bw > 64) corrupt(ctx, cat("DELTA_BINARY_PACKED bit width ", bw, " > 64"));
      size_t bytes = per_mini * size_t(bw) / 8;
      size_t take = std::min(per_mini, left);
      // The last miniblock may be cut short by writers; require the bits actually used.
      size_t need = (take * size_t(bw) + 7) / 8;
      if (size - pos < need) corrupt(ctx, "truncated DELTA_BINARY_PACKED miniblock");
      for (size_t k = 0; k < take; ++k) {
        uint64_t delta = bw ? get_bits(d + pos, k * size_t(bw), bw) : 0;
        prev = prev + min_delta + delta;
        out.push_back(int64_t(prev));
      }
      pos += std::min(bytes, size - pos);
      left -= take;
    }
  }
  return pos;
}

size_t decode_delta_length_byte_array(const uint8_t* d, size_t size, size_t n, std::vector<std::string>& out,
                                      const std::string& ctx) {
  std::vector<int64_t> lens;
  size_t pos = decode_delta_binary_packed(d, size, n, lens, ctx);
  for (int64_t len : lens) {
    if (len < 0 || uint64_t(len) > size - pos) corrupt(ctx, cat("byte array length ", len, " exceeds the page"));
    out.emplace_back(reinterpret_cast<const char*>(d + pos), size_t(len));
    pos += size_t(len);
  }
  return pos;
}

size_t decode_delta_byte_array(const uint8_t* d, size_t size, size_t n, std::vector<std::string>& out,
                               const std::string& ctx) {
  std::vector<int64_t> prefix;
  size_t pos = decode_delta_binary_packed(d, size, n, prefix, ctx);
  std::vector<std::string> suffix;
  pos += decode_delta_length_byte_array(d + pos, size - pos, n, suffix, ctx);
  std::string prev;
  for (size_t i = 0; i < n; ++i) {
    int64_t p = prefix[i];
    if (p < 0 || uint64_t(p) > prev.size())
      corrupt(ctx, cat("DELTA_BYTE_ARRAY prefix length ", p, " exceeds the previous value's ", prev.size()));
    std::string v = prev.substr(0, size_t(p));
    v += suffix[i];
    out.push_back(v);
    prev = std::move(v);
  }
  return pos;
}

void decode_byte_stream_split(const uint8_t* d, size_t size, size_t n, size_t width, uint8_t* out,
                              const std::string& ctx) {
  if (width == 0 || n > size / width) corrupt(ctx, cat("BYTE_STREAM_SPLIT needs ", n, " values of ", width, " bytes, page has ", size));
  for (size_t k = 0; k < width; ++k)
    for (size_t i = 0; i < n; ++i) out[i * width + k] = d[k * n + i];
}

}  // namespace libu::io::parquet
