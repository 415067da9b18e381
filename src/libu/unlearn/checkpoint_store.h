// libu/unlearn/checkpoint_store.h — what the trainer writes and reads back besides its own
// state: the trainable tensors of a state (best/, --auto's start), the checkpoint folders of a
// run, and metrics.jsonl trimmed to what a resumed checkpoint saw (docs/unlearning.md "Checkpoints").
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "libu/model/causal_lm.h"
#include "libu/optim/optimizer.h"

namespace libu::unlearn {

// Saves / loads what the trainer updates: a PEFT adapter folder (LoRA) at dir/adapter, or
// dir/weights.safetensors under full fine-tuning.
void save_trainable(const model::CausalLM& m, const std::string& dir);
void load_trainable(model::CausalLM& m, const std::string& dir);

// --resume from the checkpoint of step `start`: metrics.jsonl keeps what was logged before that
// checkpoint was saved (step lines up to `start`, validation lines before it, and the one at
// `start` only when `validated_at_start`); a line torn by a kill is dropped.
void trim_metrics(const std::string& path, int64_t start, bool validated_at_start);

// Every checkpoint step in OUT/checkpoints, newest first; the newest, or -1.
std::vector<int64_t> checkpoint_steps(const std::string& out_dir);
int64_t latest_checkpoint(const std::string& out_dir);

// What the training loop carries from step to step besides the parameters and the optimizer;
// all of it goes into a checkpoint's state.json, so a resumed run continues bit for bit.
struct LoopState {
  double lr_scale = 1.0;                      // halved by each non-finite step
  int consecutive_bad = 0;                    // non-finite steps in a row (3 stop the run)
  nlohmann::json best = nullptr;              // the kept validation line (OUT/best)
  double base_f = NAN, base_r = NAN;          // validation forget / retain NLL before unlearning
  double base_u = NAN;                        // guarded never-seen NLL (--general) before unlearning
  int overshoot = 0;                          // validations in a row with AUC < 0.5 − margin
  int damaged = 0;                            // validations in a row with utility_rise > tolerance
  nlohmann::json last_validation = nullptr;   // the last validation line
};

// Where a run's checkpoints live and what each holds: OUT/checkpoints/step-N with the trainable
// tensors (save_trainable), optimizer.safetensors, rng.safetensors (the torch CPU generator)
// and state.json (LoopState, the data cursor, every rank's RNG states under `libu launch`).
struct CheckpointContext {
  model::CausalLM& m;
  optim::Optimizer& optimizer;
  std::string out_dir;
  int64_t world = 1, rank = 0, global_acc = 1;  // ranks, this rank, micro-batches per step over all ranks
  std::string dir(int64_t step) const;
};
// Every rank calls this (the per-rank RNG states are gathered); only rank 0 writes, into a
// temporary folder renamed into place.
void save_checkpoint(const CheckpointContext& c, int64_t step, const LoopState& st);
// --resume: the newest checkpoint not after `newest` that loads (a damaged one is skipped with a
// warning in favour of the one before); restores the model, optimizer, RNGs and `st`, and
// returns its step. Fails when none loads or the number of ranks differs.
int64_t resume_checkpoint(const CheckpointContext& c, int64_t newest, LoopState& st);

}  // namespace libu::unlearn
