// libu/eval/attacks/relearn.cpp — see relearn.h.
#include "libu/eval/attacks/relearn.h"

#include "libu/io/semeval_id.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "libu/core/error.h"
#include "libu/core/log.h"
#include "libu/core/progress.h"
#include "libu/core/rng.h"
#include "libu/data/batching.h"
#include "libu/model/lm_head.h"
#include "libu/model/loss.h"
#include "libu/optim/optimizer.h"
#include "libu/unlearn/row_scores.h"

namespace libu::eval::attacks {

using nlohmann::json;

std::vector<int64_t> relearn_eval_steps(int64_t steps) {
  std::vector<int64_t> at = {0, steps / 4, steps / 2, steps};
  std::sort(at.begin(), at.end());
  at.erase(std::unique(at.begin(), at.end()), at.end());
  return at;
}

std::string document_of(const std::string& id) { return io::semeval_document(id); }

DocumentSplit split_by_document(const std::vector<io::Record>& forget, double fraction, uint64_t seed,
                                const std::string& source) {
  std::vector<std::string> docs;
  std::set<std::string> seen;
  for (const auto& r : forget)
    if (seen.insert(document_of(r.id)).second) docs.push_back(document_of(r.id));
  if (!(fraction > 0 && fraction < 1))
    fail(cat("--relearn-fraction ", fraction), "give the share of forget documents used as attack data, in (0, 1)");
  size_t n = std::max<size_t>(1, size_t(std::llround(fraction * double(docs.size()))));
  if (n >= docs.size())
    fail(cat(source, ": ", docs.size(), " forget document(s); relearning needs at least one attack and one probe document"),
         "give more forget rows (documents are ids without their sc/qa suffix) or a smaller --relearn-fraction");
  Rng rng(seed ^ 0x5e1ea4ULL);
  auto perm = rng.permutation(int64_t(docs.size()));
  std::set<std::string> attack;
  for (size_t i = 0; i < n; ++i) attack.insert(docs[size_t(perm[i])]);
  DocumentSplit s;
  s.documents = docs.size();
  for (const auto& d : docs)
    if (attack.count(d)) s.attack_documents.push_back(d);
  for (const auto& r : forget) (attack.count(document_of(r.id)) ? s.attack : s.probe).push_back(r);
  return s;
}

json RelearnPoint::to_json() const {
  json j = probe.to_json();
  j["step"] = step;
  j["nll"] = num_or_null(nll);
  j["train_loss"] = num_or_null(train_loss);
  return j;
}

json RelearnCurve::to_json() const {
  json pts = json::array();
  for (const auto& p : points) pts.push_back(p.to_json());
  return {{"model", model}, {"points", pts}};
}

double recovery_ratio(double before, double after, double memorised, double min_gap) {
  const double gap = memorised - before;
  if (!std::isfinite(gap) || !std::isfinite(after) || gap < min_gap) return NAN;
  return (after - before) / gap;
}

namespace {

// The probe rows under the current model: greedy generations scored officially, answer NLLs.
RelearnPoint measure(model::CausalLM& m, const text::Tokenizer& tok, const std::vector<io::Record>& probe,
                     const std::vector<data::Example>& probe_ex, int64_t pad, const RelearnOptions& opt,
                     const std::string& label) {
  RelearnPoint p;
  m.set_training(false);
  auto pred = generate_predictions(m, tok, probe, opt.generation, label);
  for (size_t i = 0; i < probe.size(); ++i) {
    p.row_scores.push_back(official_row_score(probe[i], pred[i].generation));
    p.generations.push_back(pred[i].generation);
  }
  p.probe = kind_means(probe, p.row_scores);
  p.row_nll = unlearn::row_nlls(m, probe_ex, pad, opt.nll_batch);
  p.nll = unlearn::mean_of(p.row_nll);
  return p;
}

// One AdamW step on the next attack micro-batch; returns its loss.
double attack_step(model::CausalLM& m, optim::Optimizer& adam, const std::vector<data::Example>& ex,
                   const std::vector<size_t>& rows, int64_t pad, double lr) {
  m.set_training(true);
  auto b = unlearn::make_batch(ex, rows, pad, m.device());
  auto loss = model::lean_causal_lm_loss(m, b.input_ids, b.attention_mask, b.labels);  // packed, lean head
  adam.zero_grad();
  loss.backward();
  adam.step(lr);
  return loss.item<double>();
}

}  // namespace

RelearnCurve relearn(const model::CausalLM& start, const text::Tokenizer& tok, const DocumentSplit& split,
                     const RelearnOptions& opt, const std::string& name) {
  if (opt.steps < 0) fail(cat("--relearn-steps ", opt.steps), "give 0 or more steps (default 20)");
  if (opt.batch_size < 1) fail(cat("relearn batch size ", opt.batch_size), "give at least 1");
  auto m = merged_copy(start);
  SpecialIds sp = special_ids(*m, tok);
  data::ExampleOptions train_eo{data::LossOn::Full, opt.max_length, sp.eos.front()};
  data::ExampleOptions probe_eo{data::LossOn::Answer, opt.max_length, std::nullopt};
  auto attack_ex = data::build_examples(split.attack, encoder_of(tok), train_eo);
  auto probe_ex = data::build_examples(split.probe, encoder_of(tok), probe_eo);
  m->add_lora(opt.lora, opt.seed);
  auto named = m->lora()->named_parameters();
  std::vector<torch::Tensor> params;
  std::vector<std::string> names;
  for (auto& [k, t] : named) names.push_back(k), params.push_back(t);
  optim::AdamWOptimizer adam(params, optim::AdamWConfig{}, names);

  std::vector<int64_t> at = opt.eval_at.empty() ? relearn_eval_steps(opt.steps) : opt.eval_at;
  data::SamplerOptions so;
  so.batch_size = opt.batch_size;
  so.seed = opt.seed;
  RelearnCurve curve{name, {}};
  std::vector<std::vector<size_t>> order;
  size_t pos = 0;
  int64_t epoch = 0;
  double last_loss = NAN;
  Progress bar(cat("relearn ", name), opt.steps, "step");
  for (int64_t step = 0;; ++step) {
    if (std::find(at.begin(), at.end(), step) != at.end()) {
      curve.points.push_back(measure(*m, tok, split.probe, probe_ex, sp.pad, opt, cat("probe ", name, " @", step)));
      curve.points.back().step = step;
      curve.points.back().train_loss = step ? last_loss : NAN;
      log_info("relearn ", name, " step ", step, ": probe score ", curve.points.back().probe.score(), ", NLL ",
               curve.points.back().nll);
    }
    if (step >= opt.steps) break;
    if (pos == order.size()) order = data::epoch_batches(attack_ex, so, epoch++), pos = 0;
    last_loss = attack_step(*m, adam, attack_ex, order[pos++], sp.pad, opt.lr);
    bar.advance();
    bar.set_postfix(cat("loss=", last_loss));
  }
  bar.finish();
  return curve;
}

}  // namespace libu::eval::attacks
