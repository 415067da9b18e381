// libu/io/parquet/codecs.cpp — see codecs.h.
#include "libu/io/parquet/codecs.h"

#include <brotli/decode.h>
#include <lz4.h>
#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>

#include "libu/core/error.h"

namespace libu::io::parquet {

namespace {

[[noreturn]] void corrupt(const std::string& context, const char* codec, const std::string& what) {
  fail(cat(context, ": ", codec, " decompression failed: ", what),
       "the page data is corrupt or truncated; re-export the file");
}

void gunzip(const uint8_t* src, size_t n, std::vector<uint8_t>& out, const std::string& ctx) {
  // A page may hold several concatenated gzip members (parquet-testing's
  // concatenated_gzip_members.parquet): inflate until the input is used up.
  z_stream zs;
  std::memset(&zs, 0, sizeof zs);
  if (inflateInit2(&zs, 15 + 32) != Z_OK) corrupt(ctx, "GZIP", "inflateInit2");
  zs.next_in = const_cast<Bytef*>(src);
  zs.avail_in = uInt(n);
  zs.next_out = out.data();
  zs.avail_out = uInt(out.size());
  for (;;) {
    int rc = inflate(&zs, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      if (inflateReset(&zs) != Z_OK) { inflateEnd(&zs); corrupt(ctx, "GZIP", "inflateReset"); }
      continue;
    }
    if (rc == Z_OK && zs.avail_out == 0 && zs.avail_in > 0) {
      inflateEnd(&zs);
      corrupt(ctx, "GZIP", "more data than the page header's uncompressed size");
    }
    if (rc != Z_OK) {
      std::string msg = zs.msg ? zs.msg : cat("zlib error ", rc);
      inflateEnd(&zs);
      corrupt(ctx, "GZIP", msg);
    }
  }
  size_t got = out.size() - zs.avail_out;
  inflateEnd(&zs);
  if (got != out.size()) corrupt(ctx, "GZIP", cat("got ", got, " bytes, expected ", out.size()));
}

bool lz4_hadoop(const uint8_t* src, size_t n, std::vector<uint8_t>& out) {
  // Hadoop framing: repeated [u32 BE decompressed][u32 BE compressed][lz4 block].
  size_t ip = 0, op = 0;
  while (ip < n) {
    if (n - ip < 8) return false;
    auto be32 = [&](size_t at) {
      return uint32_t(src[at]) << 24 | uint32_t(src[at + 1]) << 16 | uint32_t(src[at + 2]) << 8 | uint32_t(src[at + 3]);
    };
    uint32_t dsize = be32(ip), csize = be32(ip + 4);
    ip += 8;
    if (csize > n - ip || dsize > out.size() - op) return false;
    int got = LZ4_decompress_safe(reinterpret_cast<const char*>(src + ip), reinterpret_cast<char*>(out.data() + op),
                                  int(csize), int(dsize));
    if (got < 0 || uint32_t(got) != dsize) return false;
    ip += csize;
    op += dsize;
  }
  return op == out.size();
}

bool lz4_frame(const uint8_t* src, size_t n, std::vector<uint8_t>& out) {
  if (n < 4 || !(src[0] == 0x04 && src[1] == 0x22 && src[2] == 0x4d && src[3] == 0x18)) return false;
  LZ4F_dctx* dctx = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION))) return false;
  size_t ip = 0, op = 0;
  bool ok = true;
  while (ip < n) {
    size_t in_sz = n - ip, out_sz = out.size() - op;
    size_t rc = LZ4F_decompress(dctx, out.data() + op, &out_sz, src + ip, &in_sz, nullptr);
    if (LZ4F_isError(rc)) { ok = false; break; }
    ip += in_sz;
    op += out_sz;
    if (rc == 0) break;
    if (in_sz == 0 && out_sz == 0) { ok = false; break; }
  }
  LZ4F_freeDecompressionContext(dctx);
  return ok && op == out.size();
}

}  // namespace

std::vector<uint8_t> decompress(Codec codec, const uint8_t* src, size_t n, size_t usize,
                                const std::string& ctx) {
  if (usize > kMaxPageBytes)
    fail(cat(ctx, ": page claims ", usize, " uncompressed bytes (limit ", kMaxPageBytes, ")"),
         "the page header is corrupt");
  std::vector<uint8_t> out(usize);
  switch (codec) {
    case Codec::UNCOMPRESSED:
      if (n != usize) corrupt(ctx, "UNCOMPRESSED", cat("page has ", n, " bytes, header says ", usize));
      if (n) std::memcpy(out.data(), src, n);
      return out;
    case Codec::SNAPPY: {
      size_t len = 0;
      if (!snappy::GetUncompressedLength(reinterpret_cast<const char*>(src), n, &len))
        corrupt(ctx, "SNAPPY", "bad length preamble");
      if (len != usize) corrupt(ctx, "SNAPPY", cat("stream holds ", len, " bytes, header says ", usize));
      if (!snappy::RawUncompress(reinterpret_cast<const char*>(src), n, reinterpret_cast<char*>(out.data())))
        corrupt(ctx, "SNAPPY", "invalid stream");
      return out;
    }
    case Codec::GZIP:
      gunzip(src, n, out, ctx);
      return out;
    case Codec::ZSTD: {
      size_t got = ZSTD_decompress(out.data(), out.size(), src, n);
      if (ZSTD_isError(got)) corrupt(ctx, "ZSTD", ZSTD_getErrorName(got));
      if (got != usize) corrupt(ctx, "ZSTD", cat("got ", got, " bytes, expected ", usize));
      return out;
    }
    case Codec::LZ4_RAW: {
      if (n > size_t(INT32_MAX)) corrupt(ctx, "LZ4_RAW", "page too large");
      int got = LZ4_decompress_safe(reinterpret_cast<const char*>(src), reinterpret_cast<char*>(out.data()), int(n),
                                    int(usize));
      if (got < 0 || size_t(got) != usize) corrupt(ctx, "LZ4_RAW", cat("invalid block (result ", got, ")"));
      return out;
    }
    case Codec::LZ4: {
      if (n > size_t(INT32_MAX)) corrupt(ctx, "LZ4", "page too large");
      if (lz4_hadoop(src, n, out)) return out;
      if (lz4_frame(src, n, out)) return out;
      int got = LZ4_decompress_safe(reinterpret_cast<const char*>(src), reinterpret_cast<char*>(out.data()), int(n),
                                    int(usize));
      if (got >= 0 && size_t(got) == usize) return out;
      corrupt(ctx, "LZ4", "neither Hadoop-framed, LZ4-frame nor raw LZ4 block data");
    }
    case Codec::BROTLI: {
      size_t got = usize;
      BrotliDecoderResult rc = BrotliDecoderDecompress(n, src, &got, out.data());
      if (rc != BROTLI_DECODER_RESULT_SUCCESS) corrupt(ctx, "BROTLI", "invalid stream");
      if (got != usize) corrupt(ctx, "BROTLI", cat("got ", got, " bytes, expected ", usize));
      return out;
    }
    case Codec::LZO:
      fail(cat(ctx, ": unsupported codec LZO"), "re-write the file with SNAPPY, ZSTD or GZIP compression");
  }
  fail(cat(ctx, ": unknown compression codec ", int(codec)), "the file is corrupt or written by a newer writer");
}

uint32_t crc32_ieee(const uint8_t* data, size_t n) {
  uLong c = crc32(0L, Z_NULL, 0);
  while (n > 0) {
    uInt chunk = uInt(n > (1u << 30) ? (1u << 30) : n);
    c = crc32(c, data, chunk);
    data += chunk;
    n -= chunk;
  }
  return uint32_t(c);
}

}  // namespace libu::io::parquet
