// libu/io/records.cpp — see records.h.
#include "libu/io/records.h"

#include <dirent.h>

#include <fstream>

#include <algorithm>
#include <regex>

#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/io/jsonl.h"
#include "libu/io/parquet/reader.h"

namespace libu::io {

namespace {

bool ends_with(const std::string& s, const std::string& suf) {
  return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
}

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (!d) fail(cat(dir, ": cannot list the folder"), "check the dataset path");
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

// perturbed_answer of one row: a string column's value, or a list column's non-null strings.
void read_perturbed(const parquet::Table& t, size_t col, size_t row, std::vector<std::string>& out) {
  if (!t.data[col].is_list()) {
    auto v = t.string_at(col, row);
    if (v && !v->empty()) out.push_back(*v);
    return;
  }
  for (const auto& e : parquet::value_to_json(t.columns[col], t.data[col], row))
    if (e.is_string()) out.push_back(e.get<std::string>());
}

std::vector<Record> load_parquet_records(const std::string& file) {
  auto f = parquet::ParquetFile::open(file);
  std::vector<std::string> want = {"id", "input", "output"};
  for (auto& w : want) f->require_column(w);
  bool has_task = f->column_index("task") >= 0, has_split = f->column_index("split") >= 0;
  if (has_task) want.push_back("task");
  if (has_split) want.push_back("split");
  // TOFU's truth-ratio columns: paraphrased_answer a string, perturbed_answer a string or a
  // list of strings (a list column's leaf is named "perturbed_answer.list.element" or similar).
  bool has_para = f->column_index("paraphrased_answer") >= 0;
  std::string pert = f->column_index("perturbed_answer") >= 0 ? "perturbed_answer" : "";
  for (auto& c : f->columns())
    if (pert.empty() && c.name.rfind("perturbed_answer.", 0) == 0) {
      if (!c.list() || !(c.is_string() || c.physical == parquet::PhysicalType::BYTE_ARRAY))
        fail(cat(file, ": column '", c.name, "' (", c.type_string(), ") is not a list of strings"),
             "store perturbed_answer as a string or a list of strings");
      pert = c.name;
    }
  if (has_para) want.push_back("paraphrased_answer");
  if (!pert.empty()) want.push_back(pert);
  std::vector<Record> out;
  out.reserve(size_t(f->num_rows()));
  size_t base = 0;
  for (int rg = 0; rg < f->num_row_groups(); ++rg) {
    parquet::Table t = f->read_row_group(rg, want);
    auto get = [&](size_t col, size_t row, bool required) -> std::string {
      auto v = t.string_at(col, row);
      if (!v && required)
        fail(cat(file, ": row ", base + row, ": column '", t.columns[col].name, "' is null"),
             "every record needs an id, an input and an output");
      return v ? *v : std::string();
    };
    for (size_t r = 0; r < t.num_rows; ++r) {
      Record rec;
      rec.id = get(0, r, true);
      rec.input = get(1, r, true);
      rec.output = get(2, r, true);
      size_t k = 3;
      if (has_task) rec.task = get(k++, r, false);
      if (has_split) rec.split = get(k++, r, false);
      if (has_para) rec.paraphrased = get(k++, r, false);
      if (!pert.empty()) read_perturbed(t, k++, r, rec.perturbed);
      out.push_back(std::move(rec));
    }
    base += t.num_rows;
  }
  return out;
}

std::string json_field(const nlohmann::json& j, const char* key, bool required, const std::string& file, size_t line) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required)
      fail(cat(file, ":", line, ": field '", key, "' ", it == j.end() ? "not found" : "is null"),
           "every record needs id, input and output fields");
    return {};
  }
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return it->dump();
  fail(cat(file, ":", line, ": field '", key, "' must be a string, got ", it->type_name()));
}

std::vector<Record> load_jsonl_records(const std::string& file) {
  std::vector<Record> out;
  for_each_jsonl(file, [&](const nlohmann::json& j, size_t line) {
    Record r;
    r.id = json_field(j, "id", true, file, line);
    r.input = json_field(j, "input", true, file, line);
    r.output = json_field(j, "output", true, file, line);
    r.task = json_field(j, "task", false, file, line);
    r.split = json_field(j, "split", false, file, line);
    r.paraphrased = json_field(j, "paraphrased_answer", false, file, line);
    auto it = j.find("perturbed_answer");
    if (it != j.end() && it->is_string()) {
      r.perturbed.push_back(it->get<std::string>());
    } else if (it != j.end() && it->is_array()) {
      for (auto& x : *it) {
        if (!x.is_string())
          fail(cat(file, ":", line, ": perturbed_answer must hold strings, got ", x.type_name()),
               "give perturbed_answer as a string or a list of strings");
        r.perturbed.push_back(x.get<std::string>());
      }
    } else if (it != j.end() && !it->is_null()) {
      fail(cat(file, ":", line, ": perturbed_answer must be a string or a list of strings, got ", it->type_name()));
    }
    out.push_back(std::move(r));
  });
  return out;
}

}  // namespace

std::vector<Record> load_records(const std::string& file) {
  if (!path_exists(file)) fail(cat(file, ": no such file"), "check the dataset path");
  if (is_directory(file)) fail(cat(file, ": is a folder"), "use load_split(folder, \"forget\") for dataset folders");
  if (ends_with(file, ".parquet")) return load_parquet_records(file);
  if (ends_with(file, ".jsonl") || ends_with(file, ".json")) return load_jsonl_records(file);
  fail(cat(file, ": unknown record file type"), "use a .parquet or .jsonl file");
}

std::vector<std::string> resolve_split_files(const std::string& path, const std::string& split) {
  if (!path_exists(path)) fail(cat(path, ": no such file or folder"), "check the dataset path");
  if (!is_directory(path)) return {path};
  std::vector<std::string> names = list_dir(path);
  auto has = [&](const std::string& n) { return std::find(names.begin(), names.end(), n) != names.end(); };
  bool pq = has(split + ".parquet"), js = has(split + ".jsonl");
  if (pq && js)
    fail(cat(path, ": both ", split, ".parquet and ", split, ".jsonl exist"), "keep one of them, or pass the file directly");
  if (pq) return {path + "/" + split + ".parquet"};
  if (js) return {path + "/" + split + ".jsonl"};
  for (const std::string& stem : {split, split + "_train"}) {
    std::vector<std::string> shards;
    for (auto& n : names) {
      const std::string pre = stem + "-";
      if (n.compare(0, pre.size(), pre) != 0 || !ends_with(n, ".parquet")) continue;
      std::string mid = n.substr(pre.size(), n.size() - pre.size() - 8);  // NNNNN-of-NNNNN
      static const std::regex shard_re("[0-9]+-of-[0-9]+");
      if (std::regex_match(mid, shard_re)) shards.push_back(path + "/" + n);
    }
    if (!shards.empty()) return shards;
  }
  std::string list;
  for (auto& n : names) list += (list.empty() ? "" : ", ") + n;
  fail(cat(path, ": no '", split, "' split found (looked for ", split, ".parquet, ", split, ".jsonl, ", split,
           "-NNNNN-of-NNNNN.parquet, ", split, "_train-NNNNN-of-NNNNN.parquet); the folder holds: ",
           list.empty() ? "nothing" : list),
       "name the files as in docs/data.md, or pass the file directly");
}

std::vector<Record> load_split(const std::string& path, const std::string& split) {
  std::vector<Record> all;
  for (auto& f : resolve_split_files(path, split)) {
    auto part = load_records(f);
    all.insert(all.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
  }
  return all;
}

std::vector<std::string> load_documents(const std::string& file, const std::string& field) {
  if (!path_exists(file)) fail(cat(file, ": no such file"), "check the MIA file path");
  return read_jsonl_strings(file, field);
}

std::vector<Record> load_rows_or_documents(const std::string& path, const std::string& split) {
  if (!path_exists(path)) fail(cat(path, ": no such file or folder"), "check the path");
  bool docs = false;
  if (!is_directory(path) && (ends_with(path, ".jsonl") || ends_with(path, ".json"))) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line) && line.find_first_not_of(" \t\r") == std::string::npos) {
    }
    auto j = nlohmann::json::parse(line, nullptr, false);
    docs = j.is_object() && j.contains("document") && !j.contains("input");
  }
  std::vector<Record> out;
  if (!docs) return is_directory(path) ? load_split(path, split) : load_records(path);
  auto texts = load_documents(path, "document");
  for (size_t i = 0; i < texts.size(); ++i) out.push_back({cat("document-", i), texts[i], "", "", split});
  return out;
}

void write_records_jsonl(const std::string& file, const std::vector<Record>& records) {
  std::vector<nlohmann::json> rows;
  rows.reserve(records.size());
  for (auto& r : records)
    rows.push_back({{"id", r.id}, {"input", r.input}, {"output", r.output}, {"task", r.task}, {"split", r.split}});
  write_jsonl(file, rows);
}

}  // namespace libu::io
