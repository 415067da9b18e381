#include "libu/eval/general_nll.h"

#include "libu/core/error.h"
#include "libu/io/records.h"

namespace libu::eval {

nlohmann::json GeneralNll::to_json(const std::string& source) const {
  return {{"nll", nll}, {"documents", documents}, {"tokens", tokens}, {"truncated", truncated}, {"source", source}};
}

std::vector<std::string> general_documents(const std::string& path) {
  std::vector<std::string> docs;
  for (auto& r : io::load_rows_or_documents(path, "general")) docs.push_back(r.input + r.output);
  if (docs.empty())
    fail(cat("--general ", path, ": no documents"), "give never-seen documents ({\"document\": ...} lines or records)");
  return docs;
}

GeneralNll general_nll(model::CausalLM& model, const text::Tokenizer& tok, const std::vector<std::string>& docs,
                       const MiaOptions& opt) {
  auto d = document_nll(model, tok, docs, opt, "general");
  GeneralNll g;
  g.documents = d.size();
  double sum = 0;
  for (auto& x : d) {
    sum += x.loss;
    g.tokens += x.tokens;
    g.truncated += x.truncated;
  }
  g.nll = d.empty() ? 0 : sum / double(d.size());
  return g;
}

}  // namespace libu::eval
