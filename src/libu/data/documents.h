// libu/data/documents.h — SemEval-2025 Task 4 rows grouped into the documents they come from,
// and documents dealt into the roles of an unlearning benchmark (docs/benchmark.md). No torch.
//
// A LUME document (a creative story, a synthetic biography, a Wikipedia biography) gives
// several rows: sentence-completion rows `<doc>sc1`, `<doc>sc2`, ... and QA rows `<doc>qa0`, ...
// (the official row-type rule, docs/eval.md: the id without its last character ends in sc or qa).
// Roles are given by document, never by row: a QA row about a forget document is a forget row.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "libu/io/records.h"

namespace libu::data {

struct Document {
  std::string key;               // the row id without its 3-character row suffix
  std::string task;              // Task1 | Task2 | Task3 (the rows' task)
  std::vector<io::Record> rows;  // in file order
  // The document's running text: the longest sentence-completion row's input + output (the
  // SC prompt is the document's beginning and its reference the rest); without SC rows, the
  // QA rows' inputs and outputs joined by newlines.
  std::string text() const;
};

// Groups rows by document key, in order of first appearance. A row whose id has no sc/qa
// suffix is its own document (key = id). Rows of one key with different tasks raise Error
// naming the key.
std::vector<Document> group_documents(const std::vector<io::Record>& rows);

// Documents that share their text (the first 200 bytes of text(), whitespace-trimmed) with a
// document listed before them are dropped; returns how many were dropped in `*dropped`.
std::vector<Document> unique_documents(std::vector<Document> docs, size_t* dropped = nullptr);

// One role and how many documents of each task it takes.
struct RoleCount {
  std::string role;
  int64_t per_task = 0;
};

// Deals each task's documents into `roles`, in order, after a seeded shuffle of that task's
// documents (the same seed gives the same deal); what is left goes to role "rest". Raises
// Error naming the task, the documents it has and what the roles ask for when a task has
// too few. Tasks are those of `tasks` (every task must be present).
std::map<std::string, std::vector<Document>> deal_roles(const std::vector<Document>& docs,
                                                        const std::vector<RoleCount>& roles,
                                                        const std::vector<std::string>& tasks, uint64_t seed,
                                                        const std::string& what);

// Every row of the documents, in order.
std::vector<io::Record> rows_of(const std::vector<Document>& docs);

}  // namespace libu::data
