// libu/unlearn/checkpoint_store.h — what the trainer writes and reads back besides its own
// state: the trainable tensors of a state (best/, --auto's start), the checkpoint folders of a
// run, and metrics.jsonl trimmed to what a resumed checkpoint saw (docs/unlearning.md "Checkpoints").
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "libu/model/causal_lm.h"

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

}  // namespace libu::unlearn
