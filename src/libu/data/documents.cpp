#include "libu/data/documents.h"

#include "libu/io/semeval_id.h"

#include <algorithm>
#include <set>

#include "libu/core/error.h"
#include "libu/core/rng.h"

namespace libu::data {

namespace {
std::string suffix_kind(const std::string& id) { return std::string(io::semeval_kind(id)); }

std::string trimmed(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r\n"), b = s.find_last_not_of(" \t\r\n");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}
}  // namespace

std::string Document::text() const {
  const io::Record* best = nullptr;
  for (auto& r : rows)
    if (suffix_kind(r.id) == "sc" && (!best || r.input.size() + r.output.size() > best->input.size() + best->output.size()))
      best = &r;
  if (best) return best->input + best->output;
  std::string s;
  for (auto& r : rows) s += (s.empty() ? "" : "\n") + r.input + " " + r.output;
  return s;
}

std::vector<Document> group_documents(const std::vector<io::Record>& rows) {
  std::vector<Document> docs;
  std::map<std::string, size_t> at;
  for (auto& r : rows) {
    std::string key = io::semeval_document(r.id);
    auto it = at.find(key);
    if (it == at.end()) {
      at[key] = docs.size();
      docs.push_back({key, r.task, {r}});
      continue;
    }
    Document& d = docs[it->second];
    if (d.task != r.task)
      fail(cat("document '", key, "': row '", r.id, "' has task '", r.task, "', an earlier row of it '", d.task, "'"),
           "rows of one document (the id without its sc/qa suffix) must share their task");
    d.rows.push_back(r);
  }
  return docs;
}

std::vector<Document> unique_documents(std::vector<Document> docs, size_t* dropped) {
  std::set<std::string> seen;
  std::vector<Document> out;
  for (auto& d : docs) {
    std::string head = trimmed(d.text()).substr(0, 200);
    if (!seen.insert(head).second) continue;
    out.push_back(std::move(d));
  }
  if (dropped) *dropped = docs.size() - out.size();
  return out;
}

std::map<std::string, std::vector<Document>> deal_roles(const std::vector<Document>& docs,
                                                        const std::vector<RoleCount>& roles,
                                                        const std::vector<std::string>& tasks, uint64_t seed,
                                                        const std::string& what) {
  std::map<std::string, std::vector<Document>> out;
  int64_t want = 0;
  std::string asked;
  for (auto& rc : roles) {
    want += rc.per_task;
    asked += cat(asked.empty() ? "" : ", ", rc.role, " ", rc.per_task);
    out[rc.role];
  }
  for (size_t t = 0; t < tasks.size(); ++t) {
    std::vector<const Document*> mine;
    for (auto& d : docs)
      if (d.task == tasks[t]) mine.push_back(&d);
    if (int64_t(mine.size()) < want)
      fail(cat(what, ": ", tasks[t], " has ", mine.size(), " documents, the roles ask for ", want, " (", asked, ")"),
           "ask for fewer documents per role, or give data with more documents of that task");
    Rng rng(mix_seed(seed, t));
    auto perm = rng.permutation(int64_t(mine.size()));
    size_t k = 0;
    for (auto& rc : roles)
      for (int64_t i = 0; i < rc.per_task; ++i) out[rc.role].push_back(*mine[size_t(perm[k++])]);
    for (; k < perm.size(); ++k) out["rest"].push_back(*mine[size_t(perm[k])]);
  }
  return out;
}

std::vector<io::Record> rows_of(const std::vector<Document>& docs) {
  std::vector<io::Record> out;
  for (auto& d : docs) out.insert(out.end(), d.rows.begin(), d.rows.end());
  return out;
}

}  // namespace libu::data
