// libu tokenizer train — trains a byte-level BPE and writes an HF tokenizer.json.
//   libu tokenizer train --input corpus.txt --input more.jsonl --vocab-size 2000 --out tokenizer.json
// Inputs: .jsonl (--field, default "text"), .parquet (--field, or input+output of SemEval
// record files when the file has no such column), anything else as plain text.
#include <iostream>

#include "libu/cli/options.h"
#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/core/log.h"
#include "libu/core/timing.h"
#include "libu/io/jsonl.h"
#include "libu/io/parquet/reader.h"
#include "libu/io/records.h"
#include "libu/text/trainer.h"

namespace libu::cli {
namespace {

bool ends_with(const std::string& s, const std::string& suf) {
  return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
}

// Feeds one input file to the trainer; returns the number of texts.
size_t feed_file(text::BpeTrainer& tr, const std::string& path, const std::string& field) {
  if (ends_with(path, ".jsonl")) {
    auto texts = io::read_jsonl_strings(path, field);
    for (auto& t : texts) tr.feed(t);
    return texts.size();
  }
  if (ends_with(path, ".parquet")) {
    auto f = io::parquet::ParquetFile::open(path);
    if (f->column_index(field) < 0 && f->column_index("input") >= 0 && f->column_index("output") >= 0) {
      auto recs = io::load_records(path);
      for (auto& r : recs) tr.feed(r.input + " " + r.output);
      return recs.size();
    }
    int col = f->require_column(field);
    auto table = f->read_all({field});
    for (size_t r = 0; r < table.num_rows; ++r)
      if (auto s = table.string_at(0, r)) tr.feed(*s);
    (void)col;
    return table.num_rows;
  }
  tr.feed(read_file(path));
  return 1;
}

int run_tokenizer_train(const Options& o) {
  text::BpeTrainerOptions opt;
  if (o.i64("vocab-size") <= 0) fail("--vocab-size must be positive");
  if (o.i64("min-frequency") < 1) fail("--min-frequency must be at least 1");
  opt.vocab_size = size_t(o.i64("vocab-size"));
  opt.min_frequency = uint64_t(o.i64("min-frequency"));
  text::BpeTrainer tr(opt);
  Timer timer;
  size_t n = 0;
  auto inputs = o.list("input");
  if (inputs.empty()) fail("--input: no files given");
  for (auto& f : inputs) n += feed_file(tr, f, o.str("field"));
  auto j = tr.train();
  write_file_atomic(o.str("out"), j.dump(2));
  log_info("tokenizer train: ", n, " texts, ", tr.distinct_words(), " distinct words, ", j["model"]["vocab"].size(),
           " ids, ", j["model"]["merges"].size(), " merges in ", timer.seconds(), " s -> ", o.str("out"));
  std::cout << o.str("out") << "\n";
  return 0;
}

Registrar reg_tokenizer_train({"tokenizer train",
               "train a byte-level BPE tokenizer.json",
               {{"input", OptType::Path, "", "training files: .txt, .jsonl, .parquet (repeatable)", true, {}, true},
                {"vocab-size", OptType::Int, "2000", "total ids (2 special tokens + 256 bytes + merges)"},
                {"out", OptType::Path, "", "output tokenizer.json", true},
                {"field", OptType::String, "text", "text field of .jsonl/.parquet inputs"},
                {"min-frequency", OptType::Int, "2", "minimum count of a merged pair"}},
               run_tokenizer_train});

}  // namespace
}  // namespace libu::cli
