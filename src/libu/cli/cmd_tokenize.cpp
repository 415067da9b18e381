// libu tokenize — encode text (or decode ids) with a Hugging Face tokenizer.json.
//   libu tokenize --tokenizer tokenizer.json --text "Hello world"
//   libu tokenize --tokenizer tokenizer.json --text "15496 995" --decode
//   libu tokenize --tokenizer tokenizer.json --jsonl in.jsonl --out out.jsonl
// jsonl mode: each {"text": ...} line gives {"ids": [...], "decoded": "..."} in order; with
// --decode each {"ids": [...]} line gives the same shape.
#include <iostream>
#include <sstream>

#include "libu/cli/options.h"
#include "libu/core/error.h"
#include "libu/core/log.h"
#include "libu/io/jsonl.h"
#include "libu/text/tokenizer.h"

namespace libu::cli {
namespace {

using nlohmann::json;

// "1,2,3", "1 2 3" or "[1, 2, 3]" -> ids.
std::vector<uint32_t> parse_ids(const std::string& s) {
  std::string t = s;
  for (char& c : t)
    if (c == ',' || c == '[' || c == ']') c = ' ';
  std::istringstream is(t);
  std::vector<uint32_t> ids;
  std::string w;
  while (is >> w) {
    char* end = nullptr;
    long long v = std::strtoll(w.c_str(), &end, 10);
    if (*end || v < 0 || v > 0xFFFFFFFFLL) fail(cat("--text: '", w, "' is not a token id"), "with --decode, pass ids like \"15496,995\"");
    ids.push_back(uint32_t(v));
  }
  return ids;
}

json ids_from_row(const json& row, size_t line, const std::string& file) {
  auto it = row.find("ids");
  if (it == row.end() || !it->is_array()) fail(cat(file, ":", line, ": expected an \"ids\" array"));
  return *it;
}

int run_text(const text::Tokenizer& tok, const Options& o) {
  bool skip = o.flag("skip-special-tokens");
  if (o.flag("decode")) {
    std::cout << tok.decode(parse_ids(o.str("text")), skip, o.flag("clean-up-spaces")) << "\n";
    return 0;
  }
  text::Encoding e = tok.encode(o.str("text"), o.flag("add-special-tokens"));
  json toks = json::array();
  for (uint32_t id : e.ids) toks.push_back(tok.id_to_token(id).value_or(""));
  json out = {{"ids", e.ids}, {"tokens", toks}, {"offsets", e.offsets},
              {"decoded", tok.decode(e.ids, skip, o.flag("clean-up-spaces"))}};
  std::cout << out.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
  return 0;
}

int run_jsonl(const text::Tokenizer& tok, const Options& o) {
  if (!o.has("out")) fail("--jsonl needs --out", "pass --out OUT.jsonl");
  std::string in = o.str("jsonl"), field = o.str("field");
  auto rows = io::read_jsonl(in);
  std::vector<json> out(rows.size());
  bool skip = o.flag("skip-special-tokens"), clean = o.flag("clean-up-spaces");
  if (o.flag("decode")) {
    for (size_t i = 0; i < rows.size(); ++i) {
      json ids = ids_from_row(rows[i], i + 1, in);
      out[i] = {{"ids", ids}, {"decoded", tok.decode(ids.get<std::vector<uint32_t>>(), skip, clean)}};
    }
  } else {
    std::vector<std::string> texts;
    for (size_t i = 0; i < rows.size(); ++i) {
      auto it = rows[i].find(field);
      if (it == rows[i].end() || !it->is_string()) fail(cat(in, ":", i + 1, ": missing string field \"", field, "\""));
      texts.push_back(it->get<std::string>());
    }
    auto encs = tok.encode_batch(texts, o.flag("add-special-tokens"));
    for (size_t i = 0; i < rows.size(); ++i) out[i] = {{"ids", encs[i].ids}, {"decoded", tok.decode(encs[i].ids, skip, clean)}};
  }
  io::write_jsonl(o.str("out"), out);
  log_info("tokenize: ", rows.size(), " lines -> ", o.str("out"));
  return 0;
}

int run_tokenize(const Options& o) {
  if (o.has("text") == o.has("jsonl")) fail("pass exactly one of --text and --jsonl");
  text::Tokenizer tok = text::Tokenizer::from_file(o.str("tokenizer"));
  return o.has("text") ? run_text(tok, o) : run_jsonl(tok, o);
}

Registrar reg_tokenize({"tokenize",
               "encode text (or decode ids) with a tokenizer.json",
               {{"tokenizer", OptType::Path, "", "HF tokenizer.json", true},
                {"text", OptType::String, "", "text to encode (ids to decode with --decode)"},
                {"jsonl", OptType::Path, "", "input JSONL: one {\"text\": ...} (or {\"ids\": [...]}) per line"},
                {"out", OptType::Path, "", "output JSONL for --jsonl"},
                {"field", OptType::String, "text", "text field of --jsonl lines"},
                {"add-special-tokens", OptType::Bool, "false", "apply the post-processor template (BOS/EOS)"},
                {"decode", OptType::Bool, "false", "decode ids instead of encoding text"},
                {"skip-special-tokens", OptType::Bool, "false", "drop special tokens when decoding"},
                {"clean-up-spaces", OptType::Bool, "false", "HF clean_up_tokenization_spaces when decoding"}},
               run_tokenize});

}  // namespace
}  // namespace libu::cli
