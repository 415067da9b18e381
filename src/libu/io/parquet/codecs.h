// libu/io/parquet/codecs.h — page decompression through the Debian codec libraries:
// UNCOMPRESSED, SNAPPY (snappy), GZIP (zlib, concatenated members), BROTLI (brotlidec),
// LZ4 (Hadoop framing, with LZ4-frame and raw-block fallbacks as parquet-mr/Arrow wrote
// it), ZSTD (zstd) and LZ4_RAW (lz4 block).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "libu/io/parquet/metadata.h"

namespace libu::io::parquet {

// Largest page libu will decompress (guards against absurd sizes in corrupt headers).
constexpr size_t kMaxPageBytes = size_t(1) << 30;

// Decompresses src[0..n) into exactly `uncompressed_size` bytes. Raises Error naming
// `context` (file, column) when the codec is unsupported or the data is corrupt or has
// the wrong decompressed size.
std::vector<uint8_t> decompress(Codec codec, const uint8_t* src, size_t n, size_t uncompressed_size,
                                const std::string& context);

// CRC-32 (IEEE, as zlib's crc32) of data[0..n), used for page checksums.
uint32_t crc32_ieee(const uint8_t* data, size_t n);

}  // namespace libu::io::parquet
