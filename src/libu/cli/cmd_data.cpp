// libu data show|info|synth — inspect parquet/jsonl/csv data and write the synthetic set.
#include <cstdio>
#include <iostream>
#include <set>

#include "libu/cli/options.h"
#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/core/log.h"
#include "libu/data/synth.h"
#include "libu/io/csv.h"
#include "libu/io/jsonl.h"
#include "libu/io/parquet/reader.h"
#include "libu/io/table.h"

namespace libu::cli {
namespace {

using nlohmann::ordered_json;

bool ends_with(const std::string& s, const std::string& suf) {
  return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
}

std::string one_path(const Options& o, const char* cmd) {
  if (o.positionals().size() != 1)
    fail(cat("libu ", cmd, " takes exactly one PATH, got ", o.positionals().size()), cat("usage: libu ", cmd, " PATH"));
  return o.positionals()[0];
}

void print_line(const ordered_json& j) {
  std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

int run_show(const Options& o) {
  std::string path = one_path(o, "data show");
  int64_t limit = o.i64("limit");
  if (limit < 0) fail(cat("--limit must be >= 0, got ", limit));
  std::vector<std::string> cols = o.given("columns") ? o.list("columns") : std::vector<std::string>{};
  io::for_each_table_row(path, cols, limit, print_line);
  return 0;
}

int run_info(const Options& o) {
  std::string path = one_path(o, "data info");
  if (!ends_with(path, ".parquet")) fail(cat(path, ": data info reads parquet files"), "pass a .parquet file");
  auto f = io::parquet::ParquetFile::open(path);
  const auto& md = f->metadata();
  std::cout << "file: " << path << "\n"
            << "size: " << f->file_size() << " bytes\n"
            << "created_by: " << (md.created_by.empty() ? "(unknown)" : md.created_by) << "\n"
            << "format version: " << md.version << "\n"
            << "rows: " << f->num_rows() << "\n"
            << "row groups: " << f->num_row_groups() << "\n"
            << "columns:\n";
  for (auto& c : f->columns())
    std::cout << "  " << c.name << ": " << c.type_string() << " (max def " << c.max_def << ", max rep " << c.max_rep << ")\n";
  for (int rg = 0; rg < f->num_row_groups(); ++rg) {
    const auto& g = md.row_groups[size_t(rg)];
    std::cout << "row group " << rg << ": " << g.num_rows << " rows, " << g.total_byte_size << " bytes\n";
    for (size_t c = 0; c < g.columns.size(); ++c) {
      const auto& m = g.columns[c].meta_data;
      std::string encs;
      for (auto e : m.encodings) encs += (encs.empty() ? "" : ",") + io::parquet::encoding_name(int32_t(e));
      std::cout << "  " << f->columns()[c].name << ": " << io::parquet::to_string(m.codec) << " [" << encs << "] "
                << m.num_values << " values, " << m.total_compressed_size << "/" << m.total_uncompressed_size
                << " bytes compressed/uncompressed" << (m.dictionary_page_offset ? ", dictionary page" : "") << "\n";
    }
  }
  if (!md.key_value_metadata.empty()) {
    std::cout << "key-value metadata:\n";
    for (auto& kv : md.key_value_metadata) {
      std::string v = kv.value.value_or("(null)");
      if (v.size() > 120) v = v.substr(0, 117) + "...";
      std::cout << "  " << kv.key << " = " << v << "\n";
    }
  }
  return 0;
}

int run_synth(const Options& o) {
  data::SynthOptions s;
  s.people = int(o.i64("people"));
  s.seed = uint64_t(o.i64("seed"));
  s.forget_fraction = o.f64("forget-fraction");
  s.creative_per_person = int(o.i64("creative"));
  s.general_docs = int(o.i64("general"));
  if (s.people < 1) fail(cat("--people must be >= 1, got ", s.people));
  std::string out = o.str("out");
  auto d = data::synthesize(s);
  data::write_synth(d, out);
  log_info(cat("wrote ", d.forget.size(), " forget rows (", d.forget_people.size(), " people), ", d.retain.size(),
               " retain rows (", d.retain_people.size(), " people) and ", d.general.size(), " general rows to ", out));
  std::cout << out << "/forget.jsonl\n" << out << "/retain.jsonl\n" << out << "/general.jsonl\n";
  return 0;
}

Registrar reg_show({"data show", "print rows of a .parquet/.jsonl/.csv file as JSON lines",
                    {{"limit", OptType::Int, "10", "rows to print"},
                     {"columns", OptType::String, "", "comma-separated columns to print (default: all)"}},
                    run_show, true, "PATH"});
Registrar reg_info({"data info", "print a parquet file's schema, row groups, codecs and encodings", {}, run_info, true,
                    "PATH"});
Registrar reg_synth({"data synth", "write a synthetic PII dataset (forget/retain/general jsonl, SemEval schema)",
                     {{"people", OptType::Int, "20", "fictional people (split between forget and retain)"},
                      {"seed", OptType::Int, "0", "random seed (same seed, same data)"},
                      {"out", OptType::Path, "", "output folder", true},
                      {"forget-fraction", OptType::Float, "0.5", "share of people in the forget set"},
                      {"creative", OptType::Int, "1", "creative (Task1-like) documents per person"},
                      {"general", OptType::Int, "-1", "general-text rows (-1: as many as people)"}},
                     run_synth, false, ""});

}  // namespace
}  // namespace libu::cli
