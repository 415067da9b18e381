// libu/io/records.h — SemEval-2025 Task 4 records (docs/data.md) from parquet or jsonl files,
// or from a dataset folder holding forget/retain splits in one of these layouts:
//   forget.parquet | forget.jsonl | forget_train-00000-of-00001.parquet (HF shards)
#pragma once
#include <string>
#include <vector>

namespace libu::io {

struct Record {
  std::string id, input, output, task, split;  // task/split are "" when the file lacks them
  // TOFU's paraphrased_answer / perturbed_answer (the truth ratio, eval/truth_ratio.h); empty
  // when the file lacks them. perturbed_answer is a string or a list of strings (jsonl, or a
  // parquet string or list-of-strings column).
  std::string paraphrased;
  std::vector<std::string> perturbed;
};

// Loads a .parquet or .jsonl file of records. Columns id, input and output are required
// ("<file>: column 'output' not found; columns are: ..."); task and split are optional.
// Integer ids are converted to their decimal string. Nulls in id/input/output are errors.
std::vector<Record> load_records(const std::string& file);

// Resolves the file(s) of split `split` ("forget", "retain", "forget_validation", ...) for
// a dataset path. A file path is returned as is. In a folder, the first layout that exists:
//   1. <split>.parquet or <split>.jsonl (both present: an ambiguity error);
//   2. HF shards <split>-NNNNN-of-NNNNN.parquet (sorted);
//   3. HF shards <split>_train-NNNNN-of-NNNNN.parquet (sorted).
// Raises an Error listing the folder's files when none matches.
std::vector<std::string> resolve_split_files(const std::string& path, const std::string& split);
// resolve_split_files + load_records, concatenated in shard order.
std::vector<Record> load_split(const std::string& path, const std::string& split);

// Documents of an MIA jsonl file (`field`, default "document").
std::vector<std::string> load_documents(const std::string& file, const std::string& field = "document");

// Rows of either kind: SemEval records (a file, or split `split` of a dataset folder), or an
// MIA-style jsonl of {"document": ...} lines, each document becoming a record with
// input = document and output = "" (e.g. SemEval's mia/nonmember.jsonl as a --holdout).
std::vector<Record> load_rows_or_documents(const std::string& path, const std::string& split);

// Writes records as jsonl ({"id","input","output","task","split"} per line).
void write_records_jsonl(const std::string& file, const std::vector<Record>& records);

}  // namespace libu::io
