// The parquet reader: thrift footer, page headers, encodings, codecs (io/parquet).
// Seeds: ../shared/data/parquet-testing.
#include "fuzz_target.h"
#include "libu/io/parquet/metadata.h"
#include "libu/io/parquet/reader.h"

LIBU_FUZZ_TARGET(parquet) {
  using namespace libu::io::parquet;
  libu::fuzz::ignore_rejection([&] { decode_all_for_fuzzing(data, size); });
  // The thrift entry points directly, on the raw bytes.
  libu::fuzz::ignore_rejection([&] { parse_file_metadata(data, size, "<fuzz>"); });
  size_t used = 0;
  parse_page_header(data, size, &used, "<fuzz>");
  libu::fuzz::check(used <= size, "a page header claims more bytes than it was given");
}
