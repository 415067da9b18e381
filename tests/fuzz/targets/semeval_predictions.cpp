// `libu eval score --predictions DIR` (eval/semeval_score): the predictions and MIA JSONL
// readers, then the official scoring of whatever they accept.
#include <cmath>
#include <optional>
#include <string>

#include "fuzz_target.h"
#include "libu/eval/semeval_score.h"

namespace {
using libu::fuzz::check;

void check_score(const libu::eval::SemevalResult& r) {
  check(std::isfinite(r.task_aggregate) && r.task_aggregate >= 0 && r.task_aggregate <= 1,
        "task aggregate outside [0, 1]");
  if (r.mia_score) check(*r.mia_score >= 0 && *r.mia_score <= 1, "MIA score outside [0, 1]");
}
}  // namespace

LIBU_FUZZ_TARGET(semeval_predictions) {
  const std::string path = libu::fuzz::scratch_file("forget.jsonl", data, size);
  libu::fuzz::scratch_file("retain.jsonl", data, size);
  std::optional<libu::eval::MiaLosses> mia;
  libu::fuzz::ignore_rejection([&] { mia = libu::eval::read_mia_jsonl(path); });
  auto rows = libu::eval::read_predictions_jsonl(path);
  check_score(libu::eval::semeval_score(rows, rows, mia, 0.5));
  check_score(libu::eval::score_predictions_dir(libu::fuzz::scratch_dir(), std::nullopt));
}
