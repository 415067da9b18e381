// libu/unlearn/auto_lr.h — `--auto`: a budgeted learning-rate search that any method can use.
// Successive halving (Jamieson & Talwalkar 2016, "Non-stochastic best arm identification and
// hyperparameter optimization"): N learning rates on a geometric grid around --lr each train
// for T/2^R steps, the better half (by the run's own best-state rule on the validation rows)
// continues from its checkpoint to twice the steps, and so on until one reaches T steps.
// Trials live in OUT/auto/lr-K/; the winner's best state becomes OUT/best.
#pragma once
#include <nlohmann/json.hpp>

#include "libu/unlearn/run.h"

namespace libu::unlearn {

class Method;

// The learning rates tried: base · 3^(j − ⌊n/2⌋), j = 0..n−1 (n = 4: base/9, base/3, base, 3·base).
std::vector<double> auto_lr_grid(double base, int64_t n);

// The share of --time-budget that one trial of each rung gets for the steps it adds there, when
// n learning rates run successive halving (rung r: ⌈n/2^r⌉ trials, each to total/2^(R−r) steps).
// The shares of all trials of all rungs add up to 1.
std::vector<double> rung_time_shares(int64_t n);

// Runs the search on `m` (already after phase 1) and returns the winner's result; `record`
// receives {"grid", "trials": [{lr, steps, rungs, key, best}], "winner"} for run.json.
TrainResult run_auto_lr(model::CausalLM& m, const UnlearnData& d, const Method& method, const UnlearnConfig& c,
                        nlohmann::json& record);

}  // namespace libu::unlearn
