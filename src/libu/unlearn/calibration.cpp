#include "libu/unlearn/calibration.h"

#include <algorithm>
#include <cmath>

#include "libu/model/loss.h"

namespace libu::unlearn {

std::vector<double> row_nlls(model::CausalLM& m, const std::vector<data::Example>& ex, int64_t pad_id, int64_t batch) {
  torch::NoGradGuard ng;
  bool was = m.training();
  m.set_training(false);
  std::vector<double> out;
  out.reserve(ex.size());
  int64_t bs = std::max<int64_t>(1, batch);
  for (size_t i = 0; i < ex.size(); i += size_t(bs)) {
    std::vector<size_t> rows;
    for (size_t j = i; j < std::min(ex.size(), i + size_t(bs)); ++j) rows.push_back(j);
    auto b = make_batch(ex, rows, pad_id, m.device());
    auto [lp, n] = model::sequence_logprob(m.forward(b.input_ids, b.attention_mask), b.labels);  // [B], [B]
    auto nll = (-lp / n.clamp_min(1.0)).to(torch::kDouble).cpu();                                // [B]
    auto cnt = n.to(torch::kDouble).cpu();
    for (int64_t k = 0; k < nll.size(0); ++k)
      out.push_back(cnt[k].item<double>() > 0 ? nll[k].item<double>() : std::nan(""));
  }
  m.set_training(was);
  return out;
}

double mean_of(const std::vector<double>& v) {
  double s = 0;
  size_t n = 0;
  for (double x : v)
    if (!std::isnan(x)) s += x, ++n;
  return n ? s / double(n) : std::nan("");
}

double loss_attack_auc(const std::vector<double>& member_nll, const std::vector<double>& nonmember_nll) {
  // Mann–Whitney U over score = −NLL: a member "wins" when its NLL is lower.
  std::vector<double> non;
  for (double x : nonmember_nll)
    if (!std::isnan(x)) non.push_back(x);
  std::sort(non.begin(), non.end());
  double wins = 0;
  size_t members = 0;
  for (double x : member_nll) {
    if (std::isnan(x)) continue;
    ++members;
    auto lo = std::lower_bound(non.begin(), non.end(), x), hi = std::upper_bound(non.begin(), non.end(), x);
    wins += double(non.end() - hi) + 0.5 * double(hi - lo);  // non-members with higher NLL, ½ per tie
  }
  if (!members || non.empty()) return std::nan("");
  return wins / (double(members) * double(non.size()));
}

double mia_score(double auc) { return 1.0 - 2.0 * std::fabs(auc - 0.5); }

nlohmann::json Calibration::to_json() const {
  auto num = [](double x) { return std::isnan(x) ? nlohmann::json(nullptr) : nlohmann::json(x); };
  return {{"val_forget_nll", num(forget_nll)}, {"holdout_nll", num(holdout_nll)}, {"val_retain_nll", num(retain_nll)},
          {"auc", num(auc)}, {"mia_score", num(mia)}};
}

Calibration measure_calibration(model::CausalLM& m, const CalibrationSets& s) {
  Calibration c;
  std::vector<double> f, h;
  if (s.forget && !s.forget->empty()) f = row_nlls(m, *s.forget, s.pad_id, s.batch);
  if (s.holdout && !s.holdout->empty()) h = row_nlls(m, *s.holdout, s.pad_id, s.batch);
  if (s.retain && !s.retain->empty()) c.retain_nll = mean_of(row_nlls(m, *s.retain, s.pad_id, s.batch));
  c.forget_nll = mean_of(f);
  c.holdout_nll = mean_of(h);
  c.auc = loss_attack_auc(f, h);
  c.mia = std::isnan(c.auc) ? std::nan("") : mia_score(c.auc);
  return c;
}

}  // namespace libu::unlearn
