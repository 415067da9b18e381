// Documents and roles of the real-text benchmark (data/documents.h), on the shared SemEval files.
#include <gtest/gtest.h>

#include <set>

#include "common/shared.h"
#include "libu/core/error.h"
#include "libu/data/documents.h"

using namespace libu;

namespace {
std::vector<io::Record> semeval_rows() {
  std::vector<io::Record> rows;
  for (const char* s : {"forget", "retain", "forget_validation", "retain_validation"}) {
    auto part = io::load_split(test::shared_path("data/semeval25"), s);
    rows.insert(rows.end(), part.begin(), part.end());
  }
  return rows;
}
}  // namespace

TEST(Documents, SemevalRowsGroupIntoDocumentsOfOneTask) {
  auto rows = semeval_rows();
  ASSERT_EQ(rows.size(), 2780u);  // 1112 + 1136 + 254 + 278 (shared/README.md)
  auto docs = data::group_documents(rows);
  std::map<std::string, std::pair<size_t, size_t>> per_task;  // documents, rows
  size_t n = 0;
  for (auto& d : docs) {
    per_task[d.task].first++;
    per_task[d.task].second += d.rows.size();
    n += d.rows.size();
    for (auto& r : d.rows) EXPECT_EQ(r.id.substr(0, d.key.size()), d.key);
    // The running text is the sc1 row: its prompt is the document's beginning.
    EXPECT_EQ(d.text().substr(0, d.rows[0].input.size()), d.rows[0].input) << d.key;
  }
  EXPECT_EQ(n, rows.size());
  // Task2 biographies: sc1 + qa0..qa4; Task1 and Task3: sc1 + qa0 (counted independently with
  // a Python reading of the parquet files).
  EXPECT_EQ(per_task["Task1"], std::make_pair(size_t(237), size_t(474)));
  EXPECT_EQ(per_task["Task2"], std::make_pair(size_t(257), size_t(1542)));
  EXPECT_EQ(per_task["Task3"], std::make_pair(size_t(382), size_t(764)));
}

TEST(Documents, RolesAreDisjointByDocumentAndSeeded) {
  auto docs = data::group_documents(semeval_rows());
  std::vector<data::RoleCount> roles = {{"forget", 10}, {"retain", 10}, {"holdout", 4}};
  std::vector<std::string> tasks = {"Task1", "Task2", "Task3"};
  auto a = data::deal_roles(docs, roles, tasks, 7, "test"), b = data::deal_roles(docs, roles, tasks, 7, "test");
  auto c = data::deal_roles(docs, roles, tasks, 8, "test");
  std::set<std::string> seen;
  for (auto& [role, ds] : a) {
    if (role != "rest") EXPECT_EQ(ds.size(), 3u * size_t(role == "holdout" ? 4 : 10)) << role;
    for (auto& d : ds) EXPECT_TRUE(seen.insert(d.key).second) << d.key << " in two roles";
  }
  EXPECT_EQ(seen.size(), docs.size()) << "every document has exactly one role";
  for (size_t i = 0; i < a["forget"].size(); ++i) EXPECT_EQ(a["forget"][i].key, b["forget"][i].key);
  size_t same = 0;
  for (size_t i = 0; i < a["forget"].size(); ++i) same += a["forget"][i].key == c["forget"][i].key;
  EXPECT_LT(same, a["forget"].size()) << "another seed deals other documents";
  // Every row of a document follows it: a QA row about a forget document is a forget row.
  EXPECT_EQ(data::rows_of(a["forget"]).size(), 10u * 2 + 10u * 6 + 10u * 2);
}

TEST(Documents, TooFewDocumentsNameTheCounts) {
  auto docs = data::group_documents(semeval_rows());
  try {
    data::deal_roles(docs, {{"forget", 200}, {"retain", 100}}, {"Task1", "Task2", "Task3"}, 0, "bench");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("Task1 has 237 documents, the roles ask for 300 (forget 200, retain 100)"), std::string::npos) << m;
  }
}

TEST(Documents, DuplicatesAndMixedTasksAreCaught) {
  std::vector<io::Record> rows = {{"asc1", "Once upon", " a time", "Task1", ""}, {"aqa0", "Who?", "Me", "Task1", ""},
                                  {"bsc1", "Once upon", " a time", "Task1", ""}, {"plain", "text", "", "", ""}};
  auto docs = data::group_documents(rows);
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0].key, "a");
  EXPECT_EQ(docs[2].key, "plain");
  size_t dropped = 0;
  EXPECT_EQ(data::unique_documents(docs, &dropped).size(), 2u);
  EXPECT_EQ(dropped, 1u);
  rows.push_back({"aqa1", "Why?", "So", "Task2", ""});
  EXPECT_THROW(data::group_documents(rows), Error);
}
