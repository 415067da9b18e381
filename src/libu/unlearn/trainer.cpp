#include "libu/unlearn/trainer.h"

#include <unistd.h>

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/core/kill_point.h"
#include "libu/core/log.h"
#include "libu/core/progress.h"
#include "libu/core/timing.h"
#include "libu/dist/dist.h"
#include "libu/io/jsonl.h"
#include "libu/model/lm_head.h"
#include "libu/model/loss.h"
#include "libu/model/packing.h"
#include "libu/model/peft_io.h"
#include "libu/model/tensor_io.h"
#include "libu/unlearn/calibration.h"
#include "libu/unlearn/checkpoint_store.h"
#include "libu/unlearn/curvature.h"
#include "libu/unlearn/fisher.h"

namespace libu::unlearn {

namespace fsys = std::filesystem;
using nlohmann::json;

struct Trainer::Impl {
  model::CausalLM& m;
  const UnlearnData& data;
  std::vector<MicroBatch> plan;
  TrainerOptions opt;
  std::vector<torch::Tensor> params;
  std::vector<std::string> names;
  std::unique_ptr<optim::Optimizer> optimizer;
  int64_t total_steps = 0;
  int64_t world = 1, rank = 0;  // data parallelism (dist.h): this rank's share of each step
  int64_t global_acc = 1;       // micro-batches per optimizer step over all ranks (accumulation × world)
  double lr_scale = 1.0;
  int consecutive_bad = 0;
  json best = nullptr;
  double base_f = NAN, base_r = NAN;  // validation NLLs before unlearning
  int overshoot = 0;                  // consecutive validations with AUC < 0.5 − margin
  double base_u = NAN;                // guarded never-seen NLL (--general) before unlearning
  int damaged = 0;                    // consecutive validations with utility_rise > tolerance
  std::string stop_reason;            // why consider_best asked to stop: "overshoot" | "utility"
  json last_validation = nullptr;
  std::ofstream metrics;

  Impl(model::CausalLM& mm, const UnlearnData& d, std::vector<MicroBatch> p, TrainerOptions o)
      : m(mm), data(d), plan(std::move(p)), opt(std::move(o)) {
    for (auto& [k, t] : m.trainable()) names.push_back(k), params.push_back(t);
    if (params.empty()) fail_internal("the trainer needs a LoRA adapter or full fine-tuning");
    optimizer = optim::make_optimizer(opt.optimizer, params, opt.optimizer_options, names);
    world = dist::world_size();
    rank = dist::rank();
    global_acc = std::max<int64_t>(1, opt.accumulation) * world;
    total_steps = (int64_t(plan.size()) + global_acc - 1) / global_acc;
    if (opt.max_steps > 0) total_steps = std::min(total_steps, opt.max_steps);
  }

  std::string ckpt_dir(int64_t step) const { return opt.out_dir + "/checkpoints/step-" + std::to_string(step); }

  // ---- checkpoints: adapter (PEFT), optimizer state (safetensors), RNG + cursor (JSON) ----
  // What differs between ranks: the torch generator (LoRA dropout) and the optimizer's own
  // RNG (Sophia's sampled labels), as JSON. Every rank calls this; rank 0 gets them all.
  json rank_states() const {
    auto gen = at::detail::getDefaultCPUGenerator().get_state();  // [n] uint8
    std::string hex;
    static const char* d = "0123456789abcdef";
    for (int64_t i = 0; i < gen.numel(); ++i) {
      uint8_t b = gen.data_ptr<uint8_t>()[i];
      hex += d[b >> 4], hex += d[b & 15];
    }
    json mine = {{"rank", rank}, {"torch_cpu", hex}, {"optimizer", optimizer->state_json()}};
    json all = json::array();
    for (auto& s : dist::all_gather_strings(mine.dump())) all.push_back(json::parse(s));
    return all;
  }

  void load_rank_state(const json& st) {
    const json& mine = st.at(size_t(rank));
    std::string hex = mine.at("torch_cpu").get<std::string>();
    auto gen = torch::empty({int64_t(hex.size() / 2)}, torch::kUInt8);
    for (size_t i = 0; i + 1 < hex.size(); i += 2)
      gen.data_ptr<uint8_t>()[i / 2] = uint8_t(std::stoi(hex.substr(i, 2), nullptr, 16));
    auto g0 = at::detail::getDefaultCPUGenerator();
    g0.set_state(gen);
    optimizer->load_state(optimizer->state_tensors(), mine.at("optimizer"));
  }

  // Every rank calls this (the per-rank RNG states are gathered); only rank 0 writes.
  void save_checkpoint(int64_t step) {
    json ranks = world > 1 ? rank_states() : json(nullptr);
    if (!dist::is_main()) return;
    std::string dir = ckpt_dir(step), tmp = dir + ".tmp";
    fsys::remove_all(tmp);
    save_trainable(m, tmp);
    model::write_tensors(tmp + "/optimizer.safetensors", optimizer->state_tensors());
    kill_point("checkpoint");
    auto gen = at::detail::getDefaultCPUGenerator();
    model::write_tensors(tmp + "/rng.safetensors", {{"torch_cpu", gen.get_state()}});
    json st = {{"step", step}, {"micro_batches_done", step * global_acc}, {"world_size", world},
               {"rank_states", ranks}, {"lr_scale", lr_scale},
               {"consecutive_bad", consecutive_bad}, {"best", best}, {"base_val_forget_nll", base_f},
               {"base_val_retain_nll", base_r}, {"overshoot", overshoot},
               {"base_utility_nll", std::isnan(base_u) ? json(nullptr) : json(base_u)}, {"damaged", damaged},
               {"last_validation", last_validation}, {"optimizer", optimizer->state_json()}};
    write_file_atomic(tmp + "/state.json", st.dump(2));
    kill_point("checkpoint-rename");
    replace_dir(tmp, dir);
  }

  // --resume: the newest checkpoint that loads. A damaged one (a kill mid-write that the
  // atomic rename did not cover, a truncated file) is skipped with a warning in favour of the
  // one before; the plan is deterministic, so resuming earlier replays the same steps.
  int64_t resume_latest(int64_t newest) {
    std::vector<int64_t> steps = checkpoint_steps(opt.out_dir);
    for (int64_t k : steps) {
      if (k > newest) continue;  // rank 0's view caps the candidates
      std::string dir = ckpt_dir(k);
      auto skip = [&](const std::exception& e) {
        log_warn("checkpoint ", dir, " is damaged (", e.what(), "); trying the one before");
      };
      json st;
      try {
        st = io::read_json_file(dir + "/state.json", "");
      } catch (const std::exception& e) {
        skip(e);
        continue;
      }
      const int64_t saved_world = st.value("world_size", int64_t(1));
      if (saved_world != world)
        fail(cat(dir, ": the checkpoint was written by ", saved_world, " rank(s), this run has ", world),
             cat("resume with the same number of ranks (libu launch --nproc ", saved_world,
                 "): each rank's random streams (LoRA dropout, Sophia's sampled labels) cannot be re-split exactly"));
      try {
        return load_checkpoint(k, st);
      } catch (const std::exception& e) {
        skip(e);
      }
    }
    fail(cat(opt.out_dir, ": no checkpoint could be loaded"), "run without --resume (delete OUT/checkpoints)");
  }

  int64_t load_checkpoint(int64_t step, const json& st) {
    std::string dir = ckpt_dir(step);
    load_trainable(m, dir);
    optimizer->load_state(model::read_tensors(dir + "/optimizer.safetensors"), st["optimizer"]);
    auto rng = model::read_tensors(dir + "/rng.safetensors");
    auto gen = at::detail::getDefaultCPUGenerator();
    gen.set_state(rng.at("torch_cpu"));
    if (world > 1) load_rank_state(st.at("rank_states"));
    lr_scale = st["lr_scale"].get<double>();
    consecutive_bad = st["consecutive_bad"].get<int>();
    best = st["best"];
    base_f = st["base_val_forget_nll"].is_null() ? NAN : st["base_val_forget_nll"].get<double>();
    base_r = st["base_val_retain_nll"].is_null() ? NAN : st["base_val_retain_nll"].get<double>();
    overshoot = st.value("overshoot", 0);
    base_u = st.contains("base_utility_nll") && st["base_utility_nll"].is_number() ? st["base_utility_nll"].get<double>() : NAN;
    damaged = st.value("damaged", 0);
    last_validation = st.value("last_validation", json(nullptr));
    log_info("resumed from ", dir);
    return st["step"].get<int64_t>();
  }

  // ---- validation, calibration and best checkpoint ----
  bool validating() const { return !opt.val_forget.empty() || !opt.val_retain.empty(); }
  bool calibrating() const { return !opt.holdout.empty() && !opt.val_forget.empty(); }

  Calibration validate() {
    CalibrationSets cs{&opt.val_forget, &opt.holdout, &opt.val_retain, &opt.general, data.pad_id, opt.val_batch};
    return measure_calibration(m, cs);
  }

  bool better(const json& line) const {
    if (opt.best_rule == BestRule::Final) return false;
    auto k = selection_key(opt.best_rule, line, base_r, opt.retain_tolerance, opt.utility_tolerance);
    if (std::isinf(k.first)) return false;
    if (best.is_null()) return true;
    auto b = selection_key(opt.best_rule, best, base_r, opt.retain_tolerance, opt.utility_tolerance);
    return k.first > b.first || (k.first == b.first && k.second > b.second);
  }

  // Validates the current state (step s), logs it, keeps it as best when it wins, and counts
  // overshoot (AUC below 0.5 − margin) and damage (utility_rise above the tolerance). Returns
  // true when training should stop early (`stop_reason` says why).
  bool consider_best(int64_t step) {
    if (!validating()) return false;
    Calibration c = validate();
    json line = c.to_json();
    line["step"] = step;
    const double u = c.general_nll;  // NaN without --general: no guard
    if (std::isnan(base_u) && step == 0) base_u = u;
    if (!std::isnan(base_u) && !std::isnan(u)) line["utility_rise"] = u - base_u;
    if (!std::isnan(base_r) && !std::isnan(c.retain_nll)) line["retain_rise"] = c.retain_nll - base_r;
    if (!std::isnan(base_f) && !std::isnan(c.forget_nll)) line["forget_rise"] = c.forget_nll - base_f;
    if (dist::is_main()) metrics << json{{"validation", line}}.dump() << "\n" << std::flush;
    last_validation = line;
    if (!opt.quiet)
      log_info("validation at step ", step, ": forget NLL ", c.forget_nll, ", retain NLL ", c.retain_nll,
               calibrating() ? cat(", holdout NLL ", c.holdout_nll, ", AUC ", c.auc, ", MIA score ", c.mia) : "",
               line.contains("utility_rise") ? cat(", never-seen NLL rise ", line["utility_rise"].get<double>()) : "");
    if (dist::broadcast_flag(better(line))) {  // rank 0 decides for every rank
      best = line;
      if (dist::is_main()) {
        // Written beside, then swapped in: best/ is always a complete state.
        const std::string tmp = cat(opt.out_dir, "/best.tmp-", getpid());
        fsys::remove_all(tmp);
        save_trainable(m, tmp);
        replace_dir(tmp, opt.out_dir + "/best");
      }
    }
    const bool hurt = line.contains("utility_rise") && line["utility_rise"].get<double>() > opt.utility_tolerance;
    damaged = hurt ? damaged + 1 : 0;
    if (dist::broadcast_flag(damaged >= 2)) {
      stop_reason = "utility";
      return true;
    }
    if (!calibrating() || std::isnan(c.auc)) return false;
    overshoot = c.auc < 0.5 - opt.overshoot_margin ? overshoot + 1 : 0;
    if (!dist::broadcast_flag(overshoot >= 2)) return false;
    stop_reason = "overshoot";
    return true;
  }

  // ---- one optimizer step ----
  // One reduction and one host sync over all tensors (not one per parameter).
  static bool all_finite(const std::vector<torch::Tensor>& ts) {
    std::vector<torch::Tensor> ok;
    for (auto& t : ts)
      if (t.defined()) ok.push_back(torch::isfinite(t).all());
    return ok.empty() || torch::stack(ok).all().item<bool>();
  }
  bool finite_grads() const {
    std::vector<torch::Tensor> g;
    for (auto& p : params) g.push_back(p.grad());
    return all_finite(g);
  }
  bool finite_params() const { return all_finite(params); }

  // Skips step s: halves the LR scale, logs it, and stops the run after 3 in a row.
  json reject_step(int64_t s, json line, const char* what) {
    optimizer->zero_grad();
    lr_scale *= 0.5;
    if (++consecutive_bad >= 3)
      fail(cat("training diverged: non-finite ", what, " at 3 steps in a row (last step ", s + 1, ")"),
           "lower --lr or check the data");
    log_warn("step ", s + 1, ": non-finite ", what, "; update skipped (last good state kept), LR scale now ", lr_scale);
    line["nonfinite"] = true;
    return line;
  }

  // Sophia's curvature refresh after step s (docs/unlearning.md "Sophia's curvature"): the
  // mean of the estimates over every micro-batch of the step, on every rank, so W ranks at
  // --accumulation A give the estimator of one process at A·W. Each micro-batch draws its
  // sampled labels / Rademacher vectors from its own generator, seeded by its index in the
  // plan, so the draws do not depend on which rank runs it. A non-finite estimate is dropped
  // with a warning (kept, it would poison h, and the rollback would restore it).
  void refresh_hessian(int64_t s) {
    auto* sophia = dynamic_cast<optim::Sophia*>(optimizer.get());
    const auto f32 = params[0].options().dtype(torch::kFloat);
    std::vector<torch::Tensor> sum;
    for (auto& p : params) sum.push_back(torch::zeros_like(p, f32));
    int64_t n = 0;
    for (int64_t k = 0; k < std::max<int64_t>(1, opt.accumulation); ++k) {
      const size_t idx = size_t(s * global_acc + k * world + rank);
      if (idx >= plan.size()) break;
      Rng draws(mix_seed(opt.optimizer_options.sophia.seed ^ 0x4e55, uint64_t(idx)));
      auto est = hessian_estimate(plan[idx], draws);
      if (est.empty()) continue;  // a micro-batch without a loss
      if (!all_finite(est)) {
        log_warn("step ", s + 1, ": non-finite curvature estimate on micro-batch ", idx, "; not used");
        continue;
      }
      for (size_t i = 0; i < params.size(); ++i)
        if (est[i].defined()) sum[i].add_(est[i].to(torch::kFloat));
      ++n;
    }
    if (world > 1) {  // one all-reduce: the sums and the count
      sum.push_back(torch::full({1}, float(n), f32));
      dist::all_reduce_sum(sum);
      n = std::llround(sum.back().item<double>());
      sum.pop_back();
    }
    if (n == 0) return;
    for (auto& t : sum) t.div_(double(n));
    sophia->update_hessian(sum);
  }

  // One per-param estimate (empty when the batch contributes no loss): curvature.h.
  std::vector<torch::Tensor> hessian_estimate(const MicroBatch& mb, Rng& draws) {
    auto b = make_batch(mb.forget ? data.forget : data.retain, mb.rows, data.pad_id, m.device());
    return curvature_estimate(m, params, optimizer->hessian_source(), b, mb, opt.objective, opt.objective_params, draws);
  }

  // Sums this step's gradients, loss, tokens and logs over the ranks in one all-reduce
  // (flattened fp32 buffer). A param no rank produced a gradient for stays undefined, as in
  // one process.
  void reduce_step(torch::Tensor& loss_acc, int64_t& tokens, std::map<std::string, torch::Tensor>& logs,
                   std::map<std::string, int>& counts) {
    const auto f32 = params[0].options().dtype(torch::kFloat);
    const auto& keys = objective_log_keys();
    for (auto& [k, v] : logs)
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) fail_internal(cat("log key '", k, "' not in objective_log_keys"));
    // Host-side counts, summed too: [tokens, has-gradient per param (P), micro-batches per log key (K)].
    std::vector<float> meta = {float(tokens)};
    for (auto& p : params) meta.push_back(p.grad().defined() ? 1.0f : 0.0f);
    for (auto& k : keys) meta.push_back(counts.count(k) ? float(counts[k]) : 0.0f);
    std::vector<torch::Tensor> buf;  // [grads (P)..., loss [1], log sums [K], meta [1 + P + K]]
    for (auto& p : params)
      buf.push_back(p.grad().defined() ? p.grad().to(torch::kFloat) : torch::zeros_like(p, torch::kFloat));
    buf.push_back(loss_acc.to(torch::kFloat).reshape({1}));
    std::vector<torch::Tensor> log_sums;
    for (auto& k : keys) log_sums.push_back(logs.count(k) ? logs[k].to(torch::kFloat).reshape({1}) : torch::zeros({1}, f32));
    buf.push_back(torch::cat(log_sums));
    buf.push_back(torch::tensor(meta, torch::kFloat).to(f32.device()));
    dist::all_reduce_sum(buf);
    const size_t P = params.size();
    auto host = buf[P + 2].cpu();  // the meta block, one transfer
    const float* h = host.data_ptr<float>();
    tokens = int64_t(std::llround(h[0]));
    for (size_t i = 0; i < P; ++i) params[i].mutable_grad() = h[1 + i] > 0 ? buf[i].to(params[i].dtype()) : torch::Tensor();
    loss_acc = buf[P].reshape({}).to(torch::kDouble);
    logs.clear();
    counts.clear();
    for (size_t i = 0; i < keys.size(); ++i) {
      int c = int(std::lround(h[1 + P + i]));
      if (c == 0) continue;
      logs[keys[i]] = buf[P + 1][int64_t(i)];
      counts[keys[i]] = c;
    }
  }

  // Optimizer step s. Rank r runs micro-batches s·A·W + k·W + r (k < A = --accumulation,
  // W = ranks): the W ranks together cover the same rows as one process with A·W.
  json step(int64_t s, Progress* bar) {
    int64_t acc = std::max<int64_t>(1, opt.accumulation);
    std::map<std::string, torch::Tensor> logs;  // summed over micro-batches, read once per step
    std::map<std::string, int> counts;
    int64_t tokens = 0;
    torch::Tensor loss_acc = torch::zeros({}, torch::TensorOptions().dtype(torch::kDouble).device(m.device()));
    const size_t first = size_t(s * global_acc);  // the step's micro-batches over every rank
    const auto weights = accumulation_weights(plan, first, size_t(global_acc), data, opt.objective);
    for (int64_t k = 0; k < acc; ++k) {
      size_t idx = size_t(s * global_acc + k * world + rank);
      if (idx >= plan.size()) break;
      const MicroBatch& mb = plan[idx];
      auto b = make_batch(mb.forget ? data.forget : data.retain, mb.rows, data.pad_id, m.device());
      auto t = objective_loss(opt.objective, m, b, mb.forget, opt.objective_params);
      for (auto& [k2, v] : t.logs) logs[k2] = logs.count(k2) ? logs[k2] + v : v, counts[k2]++;
      if (!t.loss.defined()) continue;
      auto l = t.loss * (mb.factor * weights[idx - first] / double(global_acc));
      loss_acc = loss_acc + l.detach().to(torch::kDouble);
      l.backward();
      tokens += b.loss_tokens;
    }
    if (world > 1) reduce_step(loss_acc, tokens, logs, counts);
    // The step's one host sync: the loss and every logged value in one transfer.
    std::vector<torch::Tensor> vals = {loss_acc};
    for (auto& [k2, v] : logs) vals.push_back(v.to(torch::kDouble) / counts[k2]);
    auto host = torch::stack(vals).cpu();
    const double loss_sum = host[0].item<double>();
    json line = {{"step", s + 1}, {"lr", opt.schedule.lr_at(s, total_steps) * lr_scale}, {"loss", loss_sum},
                 {"tokens", tokens}};
    int64_t i = 1;
    for (auto& [k2, v] : logs) line[k2] = host[i++].item<double>();
    // NaN/Inf guard, part 1: a non-finite loss or gradient skips the update (the
    // parameters are still the last good state).
    if (!std::isfinite(loss_sum) || !finite_grads()) return reject_step(s, line, "loss/gradient");
    if (opt.clip > 0) line["grad_norm"] = optim::clip_param_grad_norm(params, opt.clip);
    // Part 2: an update that makes a parameter non-finite is undone (parameters and
    // optimizer state go back to the last good state).
    std::vector<torch::Tensor> snap;
    for (auto& p : params) snap.push_back(p.detach().clone());
    auto opt_tensors = optimizer->state_tensors();
    auto opt_json = optimizer->state_json();
    optimizer->step(line["lr"].get<double>(), tokens);
    if (!finite_params()) {
      {
        torch::NoGradGuard ng;
        for (size_t i = 0; i < params.size(); ++i) params[i].copy_(snap[i]);
      }
      optimizer->load_state(opt_tensors, opt_json);
      return reject_step(s, line, "parameter after the update");
    }
    consecutive_bad = 0;
    optimizer->zero_grad();
    json stats = optimizer->step_stats();  // keep alive: items() refers into it
    for (auto& [k2, v] : stats.items()) line[k2] = v;
    if (optimizer->hessian_due()) refresh_hessian(s);
    if (bar) bar->set_postfix(cat("loss=", loss_sum));
    return line;
  }

  // Step 0: the baseline NLLs (given by the caller, measured before phase 1, or measured now)
  // and the first validation, so the starting state is a candidate too.
  void validate_start() {
    base_f = opt.base_forget_nll;
    base_r = opt.base_retain_nll;
    base_u = opt.base_utility_nll;
    if (std::isnan(base_f) || std::isnan(base_r)) {
      Calibration c = validate();
      if (std::isnan(base_f)) base_f = c.forget_nll;
      if (std::isnan(base_r)) base_r = c.retain_nll;
    }
    consider_best(0);
  }

  TrainResult finish(TrainResult res, int64_t s, const Timer& timer) {
    res.steps_done = s;
    res.best = best;
    res.last_validation = last_validation;
    res.wall_s = timer.seconds();
    return res;
  }

  TrainResult run() {
    Timer timer;
    TrainResult res;
    res.total_steps = total_steps;
    if (dist::is_main()) make_dirs(opt.out_dir);
    int64_t start = 0;
    if (opt.resume) {
      // Rank 0's view of OUT decides; every rank then reads that checkpoint (OUT must be
      // visible to all ranks, e.g. a shared filesystem; docs/distributed.md).
      int64_t k = std::stoll(dist::broadcast_string(std::to_string(latest_checkpoint(opt.out_dir))));
      if (k < 0) fail(cat(opt.out_dir, ": no checkpoint to resume from"), "run without --resume first");
      start = resume_latest(k);
    }
    res.start_step = start;
    if (dist::is_main() && start > 0)
      trim_metrics(opt.out_dir + "/metrics.jsonl", start,
                   last_validation.is_object() && last_validation.value("step", int64_t(-1)) == start);
    if (dist::is_main()) metrics.open(opt.out_dir + "/metrics.jsonl", start > 0 ? std::ios::app : std::ios::trunc);
    if (start == 0 && validating()) validate_start();
    int64_t validated_at = start == 0 && validating() ? 0 : -1;
    m.set_training(true);
    std::unique_ptr<Progress> bar;
    if (!opt.quiet) bar = std::make_unique<Progress>("train", total_steps - start, "step");
    int64_t s = start;
    for (; s < total_steps; ++s) {
      Timer step_timer;
      json line = step(s, bar.get());
      line["elapsed_s"] = timer.seconds();
      line["tokens_per_s"] = line["tokens"].get<double>() / std::max(1e-9, step_timer.seconds());
      if (dist::is_main()) metrics << line.dump() << "\n" << std::flush;
      if (line.contains("nonfinite")) ++res.nonfinite_skips;
      if (bar) bar->advance();
      bool last = s + 1 == total_steps, pause = opt.pause_after > 0 && s + 1 == opt.pause_after;
      bool stop = false;
      if (opt.eval_every > 0 && (s + 1) % opt.eval_every == 0 && !last) {
        stop = consider_best(s + 1);
        validated_at = s + 1;
      }
      if (pause && validated_at != s + 1) consider_best(s + 1), validated_at = s + 1;
      if ((opt.checkpoint_every > 0 && (s + 1) % opt.checkpoint_every == 0) || (pause && !last)) save_checkpoint(s + 1);
      if (opt.halt_after > 0 && s + 1 == opt.halt_after) {
        res.steps_done = s + 1;
        return res;
      }
      if (stop) {
        const bool utility = stop_reason == "utility";
        log_info("early stop after step ", s + 1, ": ",
                 utility ? cat("the never-seen NLL rose more than --utility-tolerance ", opt.utility_tolerance,
                               " (the model is getting worse at all text)")
                         : cat("the forget rows look less familiar than never-seen data (AUC < ",
                               0.5 - opt.overshoot_margin, ")"),
                 " at 2 validations in a row");
        (utility ? res.stopped_by_utility : res.stopped_by_overshoot) = true;
        ++s;
        break;
      }
      if (pause && !last) {
        res.paused = true;
        if (bar) bar->finish();
        m.set_training(false);
        return finish(res, s + 1, timer);
      }
      // Clocks differ between ranks: rank 0's decides.
      if (opt.time_budget_s > 0 && !last && dist::broadcast_flag(timer.seconds() >= opt.time_budget_s)) {
        res.stopped_by_budget = true;
        if (opt.pause_after > 0) {  // an --auto trial's time slice: resumable, like a pause
          if (validated_at != s + 1) consider_best(s + 1);
          save_checkpoint(s + 1);
          res.paused = true;
          if (bar) bar->finish();
          m.set_training(false);
          return finish(res, s + 1, timer);
        }
        log_warn("time budget of ", opt.time_budget_s, " s reached after step ", s + 1, "; stopping cleanly");
        ++s;
        break;
      }
    }
    if (bar) bar->finish();
    if (validated_at != s) consider_best(s);
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
