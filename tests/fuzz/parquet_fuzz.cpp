// libFuzzer target for the parquet reader (thrift footer, page headers, encodings,
// codecs). Build: see tests/fuzz/CMakeLists.txt. Seed corpus: ../shared/data/parquet-testing.
// Any libu::Error is a clean rejection; anything else (crash, ASan report, other
// exception, timeout) is a bug.
#include <cstddef>
#include <cstdint>

#include "libu/core/error.h"
#include "libu/io/parquet/metadata.h"
#include "libu/io/parquet/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    libu::io::parquet::decode_all_for_fuzzing(data, size);
  } catch (const libu::Error&) {
  }
  // The thrift entry points directly, on the raw bytes.
  try {
    libu::io::parquet::parse_file_metadata(data, size, "<fuzz>");
  } catch (const libu::Error&) {
  }
  try {
    size_t used = 0;
    libu::io::parquet::parse_page_header(data, size, &used, "<fuzz>");
  } catch (const libu::Error&) {
  }
  return 0;
}
