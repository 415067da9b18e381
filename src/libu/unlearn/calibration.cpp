#include "libu/unlearn/calibration.h"

#include "libu/io/semeval_id.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "libu/core/error.h"
#include "libu/core/log.h"
#include "libu/data/batching.h"
#include "libu/dist/dist.h"
#include "libu/model/loss.h"
#include "libu/model/packing.h"

namespace libu::unlearn {

std::vector<data::Example> selection_rows(const std::vector<data::Example>& given,
                                          const std::vector<data::Example>& training, const std::string& flag,
                                          const std::string& use) {
  if (!given.empty() || training.empty()) return given;
  const size_t n = std::min<size_t>(64, training.size());
  log_warn("no ", flag, ": ", use, " on the first ", n, " training rows; pass ", flag,
           " (rows that are unlearned but never reported) so that selection does not score rows you report");
  return {training.begin(), training.begin() + long(n)};
}



std::map<std::string, double> auc_by_kind(const std::vector<double>& member_nll, const std::vector<std::string>& member_kind,
                                          const std::vector<double>& nonmember_nll,
                                          const std::vector<std::string>& nonmember_kind) {
  std::map<std::string, std::vector<double>> mem, non;
  for (size_t i = 0; i < nonmember_nll.size(); ++i) non[nonmember_kind[i]].push_back(nonmember_nll[i]);
  for (size_t i = 0; i < member_nll.size(); ++i)
    mem[non.count(member_kind[i]) ? member_kind[i] : std::string("*")].push_back(member_nll[i]);
  std::map<std::string, double> out;
  for (auto& [k, v] : mem) {
    double a = loss_attack_auc(v, k == "*" ? nonmember_nll : non[k]);
    if (!std::isnan(a)) out[k] = a;
  }
  return out;
}


std::string row_kind(const std::string& id) { return std::string(io::semeval_kind(id)); }

// The kind (sc, qa or "") of each row.
static std::vector<std::string> row_kinds(const std::vector<data::Example>* ex) {
  std::vector<std::string> k;
  if (ex)
    for (auto& e : *ex) k.push_back(row_kind(e.id));
  return k;
}

// The per-row values grouped by their row's kind; rows without a kind are left out.
static std::map<std::string, std::vector<double>> group_by_kind(const std::vector<double>& v, const std::vector<std::string>& kind) {
  std::map<std::string, std::vector<double>> per;
  for (size_t i = 0; i < v.size() && i < kind.size(); ++i)
    if (!kind[i].empty()) per[kind[i]].push_back(v[i]);
  return per;
}

// Mean of the values per kind (kinds with at least min_rows rows).
static std::map<std::string, double> mean_by_kind(const std::vector<double>& v, const std::vector<std::string>& kind,
                                                  size_t min_rows = 1) {
  std::map<std::string, double> out;
  for (auto& [k, x] : group_by_kind(v, kind))
    if (x.size() >= min_rows) out[k] = mean_of(x);
  return out;
}

HoldoutLevels holdout_levels(const std::vector<data::Example>& holdout, const std::vector<double>& nll, size_t min_rows) {
  HoldoutLevels h;
  h.overall = mean_of(nll);
  h.by_kind = mean_by_kind(nll, row_kinds(&holdout), min_rows);
  return h;
}

double HoldoutLevels::of(const std::string& id) const {
  auto it = by_kind.find(row_kind(id));
  return it == by_kind.end() ? overall : it->second;
}

nlohmann::json HoldoutLevels::to_json() const {
  nlohmann::json j = {{"overall", overall}};
  for (auto& [k, v] : by_kind) j[k] = v;
  return j;
}


namespace {
std::vector<float> quantiles_of(std::vector<float> v, int64_t q) {
  std::sort(v.begin(), v.end());
  std::vector<float> out;
  for (int64_t i = 0; i < q; ++i) {
    double pos = (double(i) + 0.5) / double(q) * double(v.size()) - 0.5;
    pos = std::clamp(pos, 0.0, double(v.size() - 1));
    size_t lo = size_t(std::floor(pos)), hi = size_t(std::ceil(pos));
    out.push_back(float(v[lo] + (v[hi] - v[lo]) * (pos - double(lo))));
  }
  return out;
}
}  // namespace

TokenQuantiles holdout_token_quantiles(model::CausalLM& m, const std::vector<data::Example>& holdout, int64_t pad_id,
                                       int64_t batch, int64_t q, size_t min_rows) {
  auto nll = row_token_nlls(m, holdout, pad_id, std::max<int64_t>(1, batch));
  std::map<std::string, std::vector<float>> pooled;
  std::map<std::string, size_t> rows;
  std::vector<float> all;
  for (size_t i = 0; i < holdout.size(); ++i) {
    std::string k = row_kind(holdout[i].id);
    pooled[k].insert(pooled[k].end(), nll[i].begin(), nll[i].end());
    all.insert(all.end(), nll[i].begin(), nll[i].end());
    ++rows[k];
  }
  if (all.empty()) fail("--calib-target tokens: the holdout has no scored tokens", "give a holdout with text");
  TokenQuantiles tq;
  std::vector<float> flat;
  for (auto& [k, v] : pooled)
    if (!k.empty() && rows[k] >= min_rows && !v.empty()) {
      tq.kinds.push_back(k);
      auto qs = quantiles_of(v, q);
      flat.insert(flat.end(), qs.begin(), qs.end());
    }
  auto qs = quantiles_of(all, q);
  flat.insert(flat.end(), qs.begin(), qs.end());
  tq.table = torch::tensor(flat, torch::kFloat).view({int64_t(tq.kinds.size()) + 1, q});
  return tq;
}

torch::Tensor holdout_vocab_targets(model::CausalLM& m, const std::vector<data::Example>& holdout, int64_t pad_id,
                                    int64_t batch, int64_t vocab, double prior) {
  auto nll = row_token_nlls(m, holdout, pad_id, std::max<int64_t>(1, batch));
  std::vector<double> sum(size_t(vocab), 0.0), count(size_t(vocab), 0.0);
  double all = 0, n = 0;
  for (size_t i = 0; i < holdout.size(); ++i) {
    const auto& e = holdout[i];
    size_t k = 0;  // row_token_nlls lists the scored positions t >= 1 in order; position t's label is ids[t]
    for (size_t t = 1; t < e.ids.size() && k < nll[i].size(); ++t) {
      if (!e.loss[t]) continue;
      const int64_t v = e.ids[t];
      const double x = nll[i][k++];
      if (v >= 0 && v < vocab) sum[size_t(v)] += x, count[size_t(v)] += 1;
      all += x, n += 1;
    }
  }
  if (n == 0) fail("--calib-target vocab: the holdout has no scored tokens", "give a holdout with text");
  const double mu = all / n;
  std::vector<float> t(static_cast<size_t>(vocab));
  for (size_t v = 0; v < t.size(); ++v) t[v] = float((sum[v] + prior * mu) / (count[v] + prior));
  return torch::tensor(t, torch::kFloat);
}

int64_t TokenQuantiles::index_of(const std::string& id) const {
  auto it = std::find(kinds.begin(), kinds.end(), row_kind(id));
  return it == kinds.end() ? -1 : int64_t(it - kinds.begin());
}

nlohmann::json TokenQuantiles::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  const int64_t Q = table.size(1);
  for (int64_t k = 0; k < table.size(0); ++k) {
    auto at = [&](double p) { return double(table[k][std::min(Q - 1, int64_t(p * double(Q)))].item<float>()); };
    j[k < int64_t(kinds.size()) ? kinds[size_t(k)] : std::string("overall")] = {{"p10", at(0.1)}, {"p50", at(0.5)}, {"p90", at(0.9)}};
  }
  return j;
}

nlohmann::json Calibration::to_json() const {
  auto num = [](double x) { return std::isnan(x) ? nlohmann::json(nullptr) : nlohmann::json(x); };
  return {{"val_forget_nll", num(forget_nll)}, {"holdout_nll", num(holdout_nll)}, {"val_retain_nll", num(retain_nll)},
          {"val_retain_exact", num(retain_exact)}, {"val_retain_token_acc", num(retain_token_acc)},
          {"general_nll", num(general_nll)},
          {"auc", num(auc)}, {"mia_score", num(mia)}, {"auc_by_kind", kind_auc},
          {"val_forget_nll_by_kind", forget_by_kind}, {"holdout_nll_by_kind", holdout_by_kind}};
}

Calibration measure_calibration(model::CausalLM& m, const CalibrationSets& s) {
  Calibration c;
  std::vector<double> f, h;
  if (s.forget && !s.forget->empty()) f = row_nlls(m, *s.forget, s.pad_id, s.batch);
  if (s.holdout && !s.holdout->empty()) h = row_nlls(m, *s.holdout, s.pad_id, s.batch);
  if (s.retain && !s.retain->empty()) {
    RowStats r = row_stats(m, *s.retain, s.pad_id, s.batch);
    c.retain_nll = mean_of(r.nll);
    c.retain_exact = mean_of(r.exact);
    c.retain_token_acc = mean_of(r.token_acc);
  }
  if (s.general && !s.general->empty()) c.general_nll = mean_of(row_nlls(m, *s.general, s.pad_id, s.batch));
  c.forget_nll = mean_of(f);
  c.holdout_nll = mean_of(h);
  c.holdout_rows = h;
  const auto fk = row_kinds(s.forget), hk = row_kinds(s.holdout);
  if (!f.empty() && !h.empty()) c.kind_auc = auc_by_kind(f, fk, h, hk);
  c.forget_by_kind = mean_by_kind(f, fk);
  c.holdout_by_kind = mean_by_kind(h, hk);
  // The mean over the kinds that --mia-kinds names (all when it names none, or none is present).
  auto chosen = [&](const std::string& k) {
    return !s.mia_kinds || s.mia_kinds->empty() ||
           std::find(s.mia_kinds->begin(), s.mia_kinds->end(), k) != s.mia_kinds->end();
  };
  bool any = false;
  for (auto& [k, v] : c.kind_auc) any |= chosen(k);
  double a = 0, sc = 0, n = 0;
  for (auto& [k, v] : c.kind_auc)
    if (!any || chosen(k)) a += v, sc += mia_score(v), n += 1;
  if (n > 0) c.auc = a / n, c.mia = sc / n;
  return c;
}

// The forget rows' weights in the calibrated objective's mean (mean weight 1 over the set).
// kind: every kind carries the same total weight, as each kind is its own attack surface (a few
// long biographies among many short QA rows would otherwise barely move). tokens: each row
// weighs its scored tokens, as a token-mean loss (gd's) does, so whole documents carry the push
// in proportion to their text (docs/benchmark.md "the long size").
void set_forget_weights(std::vector<data::Example>& forget, const std::string& rule) {
  std::map<std::string, size_t> kind_rows;
  double tokens = 0;
  for (auto& e : forget) ++kind_rows[row_kind(e.id)], tokens += double(data::scored_tokens(e));
  const double n = double(forget.size());
  for (auto& e : forget)
    e.weight = rule == "tokens" ? n * double(data::scored_tokens(e)) / std::max(tokens, 1.0)
                                : n / (double(kind_rows.size()) * double(kind_rows[row_kind(e.id)]));
}

}  // namespace libu::unlearn
