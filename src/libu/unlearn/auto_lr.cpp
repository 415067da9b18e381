#include "libu/unlearn/auto_lr.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/core/log.h"
#include "libu/core/timing.h"
#include "libu/unlearn/methods/method.h"

namespace libu::unlearn {

namespace fsys = std::filesystem;
using nlohmann::json;

std::vector<double> auto_lr_grid(double base, int64_t n) {
  if (n < 2) fail(cat("--auto-trials must be at least 2, got ", n), "use --auto-trials 4 (the default) or more");
  std::vector<double> g;
  for (int64_t j = 0; j < n; ++j) g.push_back(base * std::pow(3.0, double(j - n / 2)));
  return g;
}

std::vector<double> rung_time_shares(int64_t n) {
  const int64_t halvings = int64_t(std::ceil(std::log2(double(std::max<int64_t>(1, n)))));
  std::vector<double> added;  // per rung: the steps one trial adds, as a share of `total`
  double cost = 0, prev = 0;
  int64_t alive = n;
  for (int64_t r = 0; r <= halvings; ++r) {
    const double f = std::ldexp(1.0, int(r - halvings));  // total >> (halvings − r), as a share
    added.push_back(f - prev);
    cost += double(alive) * (f - prev);
    prev = f;
    alive = (alive + 1) / 2;
  }
  for (auto& a : added) a /= cost;
  return added;
}

namespace {

struct Trial {
  double lr = 0;
  std::string dir;
  int64_t steps = 0, rungs = 0;
  bool done = false;  // reached the last step, or stopped early (overshoot)
  TrainResult last;
  std::pair<double, double> key{-INFINITY, 0};
};

bool ahead(const Trial& a, const Trial& b) {
  return a.key.first > b.key.first || (a.key.first == b.key.first && a.key.second > b.key.second);
}

}  // namespace

TrainResult run_auto_lr(model::CausalLM& m, const UnlearnData& d, const Method& method, const UnlearnConfig& c,
                        json& record) {
  const TrainerOptions& base = c.trainer;
  if (base.val_forget.empty())
    fail("--auto needs validation rows to compare learning rates", "pass --val-forget/--val-retain or --holdout");
  if (base.best_rule == BestRule::Final)
    fail("--auto needs a selection rule, but --best is final", "use --best calibrated (with --holdout) or retain-bounded");
  if (base.resume) fail("--auto cannot --resume", "rerun the search without --resume");
  auto plan = method.plan(d, c);
  int64_t acc = std::max<int64_t>(1, base.accumulation);
  int64_t total = (int64_t(plan.size()) + acc - 1) / acc;
  if (base.max_steps > 0) total = std::min(total, base.max_steps);
  std::string root = c.out_dir + "/auto";
  fsys::remove_all(root);
  save_trainable(m, root + "/start");  // the state every trial starts from (after phase 1)
  std::vector<Trial> trials;
  auto grid = auto_lr_grid(base.schedule.base_lr, c.auto_trials);
  for (size_t i = 0; i < grid.size(); ++i) trials.push_back({grid[i], cat(root, "/lr-", i)});
  int64_t halvings = int64_t(std::ceil(std::log2(double(trials.size()))));
  // With --time-budget every trial gets a slice of it in proportion to the steps it adds in its
  // rung (successive halving's cost at a constant step rate), so that a slow first trial cannot
  // spend the whole budget and leave the other rates untried. The first trial measures the
  // rate: when its slice ends before its rung's steps, `total` shrinks so that every trial of
  // the search gets the same number of steps.
  std::vector<double> share = rung_time_shares(int64_t(trials.size()));
  Timer timer;
  std::vector<Trial*> alive;
  for (auto& t : trials) alive.push_back(&t);
  for (int64_t rung = 0; rung <= halvings && !alive.empty(); ++rung) {
    int64_t budget = std::max<int64_t>(1, total >> (halvings - rung));
    log_info("--auto rung ", rung + 1, "/", halvings + 1, ": ", alive.size(), " learning rate(s) to step ", budget);
    for (Trial* t : alive) {
      if (t->done) continue;
      double left = base.time_budget_s > 0 ? base.time_budget_s - timer.seconds() : 0;
      if (base.time_budget_s > 0 && left <= 0 && rung > 0) break;  // every rate gets at least one step
      const bool first = rung == 0 && t == alive.front();
      TrainerOptions o = base;
      o.out_dir = t->dir;
      o.schedule.base_lr = t->lr;
      o.resume = t->steps > 0;
      o.pause_after = budget;
      o.checkpoint_every = 0;
      o.quiet = true;
      o.time_budget_s =
          base.time_budget_s > 0 ? std::max(1e-3, std::min(left, base.time_budget_s * share[size_t(rung)])) : 0;
      if (!o.resume) load_trainable(m, root + "/start");
      t->last = Trainer(m, d, plan, o).run();
      t->steps = t->last.steps_done;
      if (first && t->last.paused && t->steps < budget) {  // the budget holds fewer steps than the plan
        total = std::max<int64_t>(1, t->steps << halvings);
        budget = t->steps;
        log_info("--auto: the time budget holds about ", total, " steps per learning rate; rung 1 steps to ", budget);
      }
      t->rungs = rung + 1;
      t->done = !t->last.paused;
      if (!t->last.best.is_null())
        t->key = selection_key(base.best_rule, t->last.best, base.base_retain_nll, base.retain_tolerance,
                              base.utility_tolerance);
      log_info("  lr ", t->lr, ": step ", t->steps, ", best ", t->last.best.dump());
    }
    if (base.time_budget_s > 0 && timer.seconds() >= base.time_budget_s) {
      log_warn("--auto: time budget reached; keeping the leader so far");
      break;
    }
    std::sort(alive.begin(), alive.end(), [](const Trial* a, const Trial* b) { return ahead(*a, *b); });
    alive.resize((alive.size() + 1) / 2);
    if (rung == halvings) break;
  }
  Trial* win = &trials[0];
  for (auto& t : trials)
    if (ahead(t, *win)) win = &t;
  json rows = json::array();
  for (auto& t : trials)
    rows.push_back({{"lr", t.lr}, {"steps", t.steps}, {"rungs", t.rungs}, {"best", t.last.best},
                    {"key", std::isinf(t.key.first) ? json(nullptr) : json({t.key.first, t.key.second})}});
  record = {{"grid", grid}, {"trials", rows}, {"winner_lr", win->lr}, {"total_steps", total}};
  log_info("--auto winner: lr ", win->lr, " (", win->last.best.dump(), ")");
  if (win->last.best.is_null()) fail("--auto: no learning rate produced an eligible state", "raise --retain-tolerance or lower --lr");
  const std::string tmp = cat(c.out_dir, "/best.tmp-", getpid());
  fsys::remove_all(tmp);
  fsys::copy(win->dir + "/best", tmp, fsys::copy_options::recursive);
  replace_dir(tmp, c.out_dir + "/best");
  fsys::copy_file(win->dir + "/metrics.jsonl", c.out_dir + "/metrics.jsonl", fsys::copy_options::overwrite_existing);
  TrainResult r = win->last;
  r.wall_s = timer.seconds();
  return r;
}

}  // namespace libu::unlearn
