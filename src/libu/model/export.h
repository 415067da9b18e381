// libu/model/export.h — writing HF model folders: random init (`libu init`) and merged
// exports. Always written to a temporary folder, then renamed; never into the input.
#pragma once
#include <string>

#include "libu/model/causal_lm.h"

namespace libu::model {

// Random-initialised weights for `cfg` (normal(0, 0.02), norms 1) in fp32, from `seed`.
// Each tensor is drawn in fp32 and converted to `dtype` at once, so peak memory stays at
// the final size plus one fp32 tensor (7b in bf16 fits in 24 GB).
std::map<std::string, torch::Tensor> init_weights(const ModelConfig& cfg, uint64_t seed,
                                                  c10::ScalarType dtype = torch::kFloat);

// Writes config.json + model.safetensors (weights in the all_weights order) to `out_dir`
// atomically. `extra_files` are copied from `copy_from` if they exist (tokenizer files).
void write_model_folder(const std::string& out_dir, ModelConfig cfg,
                        const std::map<std::string, torch::Tensor>& weights, c10::ScalarType dtype,
                        const std::string& copy_from = "", const std::string& tokenizer_file = "");
// Same, asking `weight(name)` for one tensor at a time while the file is written (each is
// freed before the next is made).
using WeightSource = std::function<torch::Tensor(const std::string&)>;
void write_model_folder(const std::string& out_dir, ModelConfig cfg, const WeightSource& weight,
                        c10::ScalarType dtype, const std::string& copy_from = "",
                        const std::string& tokenizer_file = "");

// Merges the adapter into the base weights and writes an HF folder (tokenizer files copied
// from the model's source folder). Refuses to write into the source folder. Streams: one
// merged tensor exists at a time, so the peak memory is the model plus one fp32 matrix.
void export_merged(const CausalLM& model, const std::string& out_dir, c10::ScalarType dtype);

}  // namespace libu::model
