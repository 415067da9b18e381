// libu/eval/attacks/paraphrase.cpp — see paraphrase.h.
#include "libu/eval/attacks/paraphrase.h"

#include <cctype>

#include "libu/core/error.h"

namespace libu::eval::attacks {

namespace {

std::string trim(std::string s) {
  size_t a = s.find_first_not_of(" \t\r\n"), b = s.find_last_not_of(" \t\r\n");
  return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

// First letter upper / lower case (ASCII only; other scripts are left as they are).
std::string upper_first(std::string s) {
  if (!s.empty()) s[0] = char(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}
std::string lower_first(std::string s) {
  // Keep acronyms and names ("I", "NASA", "John ...") whose second letter is upper case or that are one letter.
  if (s.size() > 1 && std::isupper(static_cast<unsigned char>(s[0])) && std::islower(static_cast<unsigned char>(s[1])))
    s[0] = char(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

// "A, B?" -> "B, a?"
std::optional<std::string> move_comma_clause(const std::string& body) {
  size_t c = body.find(", ");
  if (c == std::string::npos || c == 0 || c + 2 >= body.size()) return std::nullopt;
  return upper_first(body.substr(c + 2)) + ", " + lower_first(body.substr(0, c)) + "?";
}

// "H of T?" -> "Regarding T, h?"  (the first " of ")
std::optional<std::string> move_of_clause(const std::string& body) {
  size_t o = body.find(" of ");
  if (o == std::string::npos || o == 0 || o + 4 >= body.size()) return std::nullopt;
  return "Regarding " + body.substr(o + 4) + ", " + lower_first(body.substr(0, o)) + "?";
}

// "What is N's Y?" -> "Regarding N, what is the Y?"  (N after the last verb before "'s")
std::optional<std::string> move_possessive(const std::string& body) {
  size_t p = body.find("'s ");
  if (p == std::string::npos) return std::nullopt;
  size_t best = std::string::npos, vlen = 0;
  for (const char* v : {" is ", " was ", " are ", " were "}) {
    size_t at = body.rfind(v, p);
    if (at != std::string::npos && (best == std::string::npos || at > best)) best = at, vlen = std::string(v).size();
  }
  if (best == std::string::npos || best + vlen >= p) return std::nullopt;
  std::string head = body.substr(0, best + vlen - 1), owner = body.substr(best + vlen, p - best - vlen);
  return "Regarding " + owner + ", " + lower_first(head) + " the " + body.substr(p + 3) + "?";
}

std::optional<std::string> clause_moved(const std::string& question) {
  std::string body = trim(question);
  if (!body.empty() && body.back() == '?') body.pop_back();
  body = trim(body);
  if (body.empty()) return std::nullopt;
  if (auto s = move_comma_clause(body)) return s;
  if (auto s = move_of_clause(body)) return s;
  return move_possessive(body);
}

}  // namespace

const std::vector<ParaphraseTemplate>& paraphrase_templates() {
  static const std::vector<ParaphraseTemplate> t = {
      {"original", "the official prompt (control)"},
      {"qa", "\"Q: <question> A:\""},
      {"question-answer", "\"Question: <question>\\nAnswer:\""},
      {"clause-moved", "the question with its first clause moved (comma clause, \"of\" phrase or possessive)"}};
  return t;
}

std::optional<std::string> paraphrase(const std::string& name, const std::string& question) {
  if (name == "original") return question;
  if (name == "qa") return "Q: " + trim(question) + " A:";
  if (name == "question-answer") return "Question: " + trim(question) + "\nAnswer:";
  if (name == "clause-moved") return clause_moved(question);
  fail(cat("unknown paraphrase template '", name, "'"), "use original, qa, question-answer or clause-moved");
}

}  // namespace libu::eval::attacks
