// libu/unlearn/run.h — `libu unlearn` / `libu train` end to end: load model + data,
// inject LoRA, run the method (phase 1 if any, then the shared trainer), write
// OUT/adapter (PEFT), OUT/model (merged, unless no_merge), OUT/run.json.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "libu/unlearn/trainer.h"

namespace libu::unlearn {

struct UnlearnConfig {
  std::string method = "libu";      // libu | ga | gd | kl | npo | simnpo | sugd | sft
  std::string model_dir, forget_path, retain_path, out_dir;  // forget/retain: '\n'-separated paths
  std::string val_forget_path, val_retain_path;
  std::string holdout_path;         // never-seen rows of the same kind (calibration target)
  std::string calib_target = "mean";  // calibrated objective: aim each row's mean (mean), its token distribution (tokens) or each token at its id's never-seen NLL (vocab)
  std::string calib_weight = "kind";  // calibrated objective: each kind carries the same total weight (kind), or each row its loss tokens' share (tokens)
  std::string general_path;
  std::string anchor_path;          // never-seen documents held to the frozen model by KL (added to the retain batches)         // never-seen general documents for the utility guard ("" = guard the holdout)
  std::string objective;            // override of the method's objective ("" = method default)
  std::string idk_file;             // IdkDPO: refusal answers, one per line ("" = the built-in set)
  std::string loss_on = "full";     // full | answer
  int64_t max_length = 1024;
  bool add_eos = false;
  // LoRA
  int64_t lora_r = 16;
  double lora_alpha = 32, lora_dropout = 0.0;
  std::vector<std::string> lora_targets = {"q_proj", "k_proj", "v_proj", "o_proj"};
  // Phase 1 (LIBU)
  double phase1_sign = +1.0, phase1_lr = 1e-3, damping = 1e-4;
  bool phase1_auto = false;         // --phase1-lr auto: backtracking search over η₁
  int64_t phase1_trials = 8;
  int64_t fisher_batch = 1;
  double fisher_temperature = 1.0;
  bool damping_auto = false;        // --damping auto: λ = damping_ratio · mean(F)
  double damping_ratio = 1e-3;
  // --fisher-step ρ (> 0): phase 2's updates scaled per coordinate by ρ·F̄/(F + ρ·F̄), F phase 1's
  // retain Fisher (F̄ its mean): what the retain text rests on moves less (0: off).
  double fisher_step = 0;
  bool phase1 = true;
  bool save_phase1 = false;         // --save-phase1: OUT/phase1.safetensors with F and g
  // Phase 2 / trainer
  TrainerOptions trainer;
  PlanOptions plan;
  // --auto: successive halving over learning rates (unlearn/auto_lr.cpp)
  bool auto_lr = false;
  int64_t auto_trials = 4;
  std::string dtype = "bf16", device = "cpu";
  bool checkpointing = false, no_merge = false;
  bool full = false;  // full fine-tuning instead of LoRA (train only; fp32)
  std::string merge_dtype = "";  // "" = the base model's stored dtype
  nlohmann::json resolved;       // every option, saved in run.json
};

// Runs everything; returns the run summary (also written to OUT/run.json).
nlohmann::json run_unlearn(UnlearnConfig cfg);

}  // namespace libu::unlearn
