// libu/unlearn/trainer.cpp — the training loop (trainer.h). Its rooms: checkpoint_store
// (checkpoints, --resume), validation (best state, early stops), curvature (Sophia's refresh),
// step_reduce (the sums over ranks), selection (the rules).
#include "libu/unlearn/trainer.h"

#include <cmath>
#include <fstream>

#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/core/log.h"
#include "libu/core/progress.h"
#include "libu/core/timing.h"
#include "libu/dist/dist.h"
#include "libu/unlearn/checkpoint_store.h"
#include "libu/unlearn/curvature.h"
#include "libu/unlearn/step_reduce.h"
#include "libu/unlearn/validation.h"

namespace libu::unlearn {

using nlohmann::json;

namespace {

std::vector<torch::Tensor> trainable_params(model::CausalLM& m, std::vector<std::string>& names) {
  std::vector<torch::Tensor> params;
  for (auto& [k, t] : m.trainable()) names.push_back(k), params.push_back(t);
  if (params.empty()) fail_internal("the trainer needs a LoRA adapter or full fine-tuning");
  return params;
}

}  // namespace

struct Trainer::Impl {
  model::CausalLM& m;
  const UnlearnData& data;
  std::vector<MicroBatch> plan;
  TrainerOptions opt;
  std::vector<std::string> names;
  std::vector<torch::Tensor> params;
  std::unique_ptr<optim::Optimizer> optimizer;
  StepSlots slots;  // this rank's micro-batches of each step
  int64_t total_steps = 0;
  LoopState st;
  std::ofstream metrics;
  CheckpointContext ckpt;
  Validator validator;

  Impl(model::CausalLM& mm, const UnlearnData& d, std::vector<MicroBatch> p, TrainerOptions o)
      : m(mm), data(d), plan(std::move(p)), opt(std::move(o)), params(trainable_params(m, names)),
        optimizer(optim::make_optimizer(opt.optimizer, params, opt.optimizer_options, names)),
        slots{std::max<int64_t>(1, opt.accumulation), dist::world_size(), dist::rank()},
        ckpt{m, *optimizer, opt.out_dir, slots.world, slots.rank, slots.global()},
        validator(m, opt, data.pad_id, st, metrics) {
    total_steps = (int64_t(plan.size()) + slots.global() - 1) / slots.global();
    if (opt.max_steps > 0) total_steps = std::min(total_steps, opt.max_steps);
  }

  // Skips step s: halves the LR scale, logs it, and stops the run after 3 in a row.
  json reject_step(int64_t s, json line, const char* what) {
    optimizer->zero_grad();
    st.lr_scale *= 0.5;
    if (++st.consecutive_bad >= 3)
      fail(cat("training diverged: non-finite ", what, " at 3 steps in a row (last step ", s + 1, ")"),
           "lower --lr or check the data");
    log_warn("step ", s + 1, ": non-finite ", what, "; update skipped (last good state kept), LR scale now ", st.lr_scale);
    line["nonfinite"] = true;
    return line;
  }

  // Forward and backward of this rank's micro-batches of step s (slots), gradients accumulated
  // in the params, each loss weighted by accumulation_weights; summed over the ranks.
  StepSums accumulate(int64_t s) {
    StepSums sums;
    sums.loss = torch::zeros({}, torch::TensorOptions().dtype(torch::kDouble).device(m.device()));
    const size_t first = size_t(s * slots.global());  // the step's micro-batches over every rank
    const auto weights = accumulation_weights(plan, first, size_t(slots.global()), data, opt.objective);
    for (int64_t k = 0; k < slots.acc; ++k) {
      const size_t idx = slots.index(s, k);
      if (idx >= plan.size()) break;
      const MicroBatch& mb = plan[idx];
      auto b = make_batch(mb.forget ? data.forget : data.retain, mb.rows, data.pad_id, m.device());
      auto t = objective_loss(opt.objective, m, b, mb.forget, opt.objective_params);
      for (auto& [key, v] : t.logs) sums.logs[key] = sums.logs.count(key) ? sums.logs[key] + v : v, sums.counts[key]++;
      if (!t.loss.defined()) continue;
      auto l = t.loss * (mb.factor * weights[idx - first] / double(slots.global()));
      sums.loss = sums.loss + l.detach().to(torch::kDouble);
      l.backward();
      sums.tokens += b.loss_tokens;
    }
    if (slots.world > 1) all_reduce_step(params, sums);
    return sums;
  }

  // Sophia's curvature from the micro-batches of step s (curvature.h).
  void refresh(int64_t s) {
    refresh_curvature(*optimizer, m, params, plan, data, slots, s, opt.objective, opt.objective_params,
                      opt.optimizer_options.sophia.seed, opt.curvature_on_retain);
  }

  // Sharpness-aware minimisation (Foret et al. 2021, "Sharpness-Aware Minimization for
  // Efficiently Improving Generalization", eq. 2; applied to unlearning by Fan et al. 2025,
  // "Towards LLM Unlearning Resilient to Relearning Attacks"): replaces the params' gradients g
  // (summed over ranks) by those at θ + ρ·g/‖g‖, the worst point of a ρ-ball to first order, and
  // puts θ back. A zero or non-finite g is left as it is (the NaN guard decides).
  void sam_gradient(int64_t s) {
    std::vector<torch::Tensor> eps(params.size());
    double sq = 0;
    for (auto& p : params)
      if (p.grad().defined()) sq += p.grad().to(torch::kDouble).pow(2).sum().item<double>();
    const double norm = std::sqrt(sq);
    if (!(norm > 0) || !std::isfinite(norm)) return;
    {
      torch::NoGradGuard ng;
      for (size_t i = 0; i < params.size(); ++i)
        if (params[i].grad().defined()) eps[i] = params[i].grad() * (opt.sam_rho / norm), params[i].add_(eps[i]);
    }
    optimizer->zero_grad();
    accumulate(s);  // the same micro-batches at θ + ε
    torch::NoGradGuard ng;
    for (size_t i = 0; i < params.size(); ++i)
      if (eps[i].defined()) params[i].sub_(eps[i]);
  }

  // Optimizer step s: accumulate, log (one host sync), NaN/Inf guard, clip, update, curvature.
  json step(int64_t s, Progress* bar) {
    StepSums sums = accumulate(s);  // the loss and logs of the step are those at θ
    if (opt.sam_rho > 0) sam_gradient(s);
    std::vector<torch::Tensor> vals = {sums.loss};
    for (auto& [key, v] : sums.logs) vals.push_back(v.to(torch::kDouble) / sums.counts[key]);
    auto host = torch::stack(vals).cpu();
    const double loss_sum = host[0].item<double>();
    json line = {{"step", s + 1}, {"lr", opt.schedule.lr_at(s, total_steps) * st.lr_scale}, {"loss", loss_sum},
                 {"tokens", sums.tokens}};
    int64_t i = 1;
    for (auto& [key, v] : sums.logs) line[key] = host[i++].item<double>();
    // NaN/Inf guard, part 1: a non-finite loss or gradient skips the update (the parameters
    // are still the last good state).
    std::vector<torch::Tensor> grads;
    for (auto& p : params) grads.push_back(p.grad());
    if (!std::isfinite(loss_sum) || !optim::all_finite(grads)) return reject_step(s, line, "loss/gradient");
    if (opt.clip > 0) line["grad_norm"] = optim::clip_param_grad_norm(params, opt.clip);
    // Part 2: an update that makes a parameter non-finite is undone (parameters and optimizer
    // state go back to the last good state).
    std::vector<torch::Tensor> snap;
    for (auto& p : params) snap.push_back(p.detach().clone());
    auto opt_tensors = optimizer->state_tensors();
    auto opt_json = optimizer->state_json();
    optimizer->step(line["lr"].get<double>(), sums.tokens);
    if (!optim::all_finite(params)) {
      {
        torch::NoGradGuard ng;
        for (size_t k = 0; k < params.size(); ++k) params[k].copy_(snap[k]);
      }
      optimizer->load_state(opt_tensors, opt_json);
      return reject_step(s, line, "parameter after the update");
    }
    if (!opt.step_scale.empty()) {  // --fisher-step: θ ← θ_before + s ⊙ (θ_after − θ_before)
      torch::NoGradGuard ng;
      for (size_t k = 0; k < params.size(); ++k) params[k].copy_(snap[k] + opt.step_scale[k] * (params[k] - snap[k]));
    }
    st.consecutive_bad = 0;
    optimizer->zero_grad();
    json stats = optimizer->step_stats();  // keep alive: items() refers into it
    for (auto& [key, v] : stats.items()) line[key] = v;
    if (optimizer->hessian_due()) refresh(s);
    if (bar) bar->set_postfix(cat("loss=", loss_sum));
    return line;
  }

  TrainResult finish(TrainResult res, int64_t s, const Timer& timer) {
    res.steps_done = s;
    res.best = st.best;
    res.last_validation = st.last_validation;
    res.wall_s = timer.seconds();
    return res;
  }

  // --resume: rank 0's view of OUT decides; every rank then reads that checkpoint (OUT must be
  // visible to all ranks, e.g. a shared filesystem; docs/distributed.md). Returns the start step.
  int64_t open_run() {
    if (dist::is_main()) make_dirs(opt.out_dir);
    int64_t start = 0;
    if (opt.resume) {
      int64_t k = std::stoll(dist::broadcast_string(std::to_string(latest_checkpoint(opt.out_dir))));
      if (k < 0) fail(cat(opt.out_dir, ": no checkpoint to resume from"), "run without --resume first");
      start = resume_checkpoint(ckpt, k, st);
    }
    if (dist::is_main() && start > 0)
      trim_metrics(opt.out_dir + "/metrics.jsonl", start,
                   st.last_validation.is_object() && st.last_validation.value("step", int64_t(-1)) == start);
    if (dist::is_main()) metrics.open(opt.out_dir + "/metrics.jsonl", start > 0 ? std::ios::app : std::ios::trunc);
    return start;
  }

  void log_early_stop(int64_t step, TrainResult& res) {
    const bool utility = validator.stop_reason() == "utility";
    log_info("early stop after step ", step, ": ",
             utility ? cat("the never-seen NLL rose more than --utility-tolerance ", opt.utility_tolerance,
                           " (the model is getting worse at all text)")
                     : cat("the forget rows look less familiar than never-seen data (AUC < ",
                           0.5 - opt.overshoot_margin, ")"),
             " at 2 validations in a row");
    (utility ? res.stopped_by_utility : res.stopped_by_overshoot) = true;
  }

  TrainResult run() {
    Timer timer;
    TrainResult res;
    res.total_steps = total_steps;
    const int64_t start = open_run();
    res.start_step = start;
    if (start == 0 && validator.enabled()) validator.start();
    int64_t validated_at = start == 0 && validator.enabled() ? 0 : -1;
    auto validate = [&](int64_t step) {
      validated_at = step;
      return validator.consider(step);
    };
    // Returns at a pause (pause_after, or an --auto trial's time slice): validated, checkpointed, resumable.
    auto pause = [&](int64_t step, Progress* bar) {
      res.paused = true;
      if (bar) bar->finish();
      m.set_training(false);
      return finish(res, step, timer);
    };
    m.set_training(true);
    std::unique_ptr<Progress> bar;
    if (!opt.quiet) bar = std::make_unique<Progress>("train", total_steps - start, "step");
    int64_t s = start;
    // Sophia's warm start (sophia.h SophiaOptions::warm): a curvature estimate before the first step.
    if (start == 0 && optimizer->hessian_due()) refresh(0);
    for (; s < total_steps; ++s) {
      Timer step_timer;
      json line = step(s, bar.get());
      line["elapsed_s"] = timer.seconds();
      line["tokens_per_s"] = line["tokens"].get<double>() / std::max(1e-9, step_timer.seconds());
      if (dist::is_main()) metrics << line.dump() << "\n" << std::flush;
      if (line.contains("nonfinite")) ++res.nonfinite_skips;
      if (bar) bar->advance();
      const int64_t done = s + 1;
      const bool last = done == total_steps, pausing = opt.pause_after > 0 && done == opt.pause_after;
      bool stop = false;
      if (opt.eval_every > 0 && done % opt.eval_every == 0 && !last) stop = validate(done);
      if (pausing && validated_at != done) validate(done);
      if ((opt.checkpoint_every > 0 && done % opt.checkpoint_every == 0) || (pausing && !last)) save_checkpoint(ckpt, done, st);
      if (opt.halt_after > 0 && done == opt.halt_after) {  // as if killed (tests)
        res.steps_done = done;
        return res;
      }
      if (stop) {
        log_early_stop(done, res);
        ++s;
        break;
      }
      if (pausing && !last) return pause(done, bar.get());
      // Clocks differ between ranks: rank 0's decides.
      if (opt.time_budget_s > 0 && !last && dist::broadcast_flag(timer.seconds() >= opt.time_budget_s)) {
        res.stopped_by_budget = true;
        if (opt.pause_after > 0) {  // an --auto trial's time slice: resumable, like a pause
          if (validated_at != done) validate(done);
          save_checkpoint(ckpt, done, st);
          return pause(done, bar.get());
        }
        log_warn("time budget of ", opt.time_budget_s, " s reached after step ", done, "; stopping cleanly");
        ++s;
        break;
      }
    }
    if (bar) bar->finish();
    if (validated_at != s) validate(s);
    m.set_training(false);
    return finish(res, s, timer);
  }
};

Trainer::Trainer(model::CausalLM& m, const UnlearnData& data, std::vector<MicroBatch> plan, TrainerOptions opt)
    : impl_(std::make_unique<Impl>(m, data, std::move(plan), std::move(opt))) {}
Trainer::~Trainer() = default;
TrainResult Trainer::run() { return impl_->run(); }

std::vector<int64_t> Trainer::checkpoint_steps(const std::string& out_dir) { return unlearn::checkpoint_steps(out_dir); }
int64_t Trainer::latest_checkpoint(const std::string& out_dir) { return unlearn::latest_checkpoint(out_dir); }

}  // namespace libu::unlearn
