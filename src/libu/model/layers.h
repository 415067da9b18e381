// libu/model/layers.h — pieces shared by the decoders: norms, RoPE, attention, SwiGLU.
// Semantics follow transformers' modeling_olmo / modeling_llama / modeling_olmo2.
#pragma once
#include <torch/torch.h>

#include "libu/model/architecture.h"

namespace libu::model {

// OLMo (0724): non-parametric LayerNorm computed in fp32, cast back. x: [..., D]
torch::Tensor olmo_layer_norm(const torch::Tensor& x, double eps = 1e-5);
// Llama RMSNorm: normalise in fp32, cast back to the input dtype, then multiply by w.
torch::Tensor llama_rms_norm(const torch::Tensor& x, const torch::Tensor& w, double eps);
// OLMo-2 RMSNorm: normalise in fp32, multiply by w, then cast back.
torch::Tensor olmo2_rms_norm(const torch::Tensor& x, const torch::Tensor& w, double eps);

// RoPE tables for positions [B, T] (int64) -> cos, sin [B, T, head_dim] as
// cat(freqs, freqs), computed in fp32 then cast to `dtype`.
// Llama-3 rope_scaling applied to inv_freq [d/2] (arch_llama3.cpp).
torch::Tensor llama3_inv_freq(const torch::Tensor& inv_freq, const RopeScaling& s);
std::pair<torch::Tensor, torch::Tensor> rope_tables(const torch::Tensor& positions, int64_t head_dim,
                                                    double theta, c10::ScalarType dtype,
                                                    const RopeScaling* scaling = nullptr);
// x: [B, H, T, d]; cos/sin: [B, T, d]. Returns x*cos + rotate_half(x)*sin.
torch::Tensor apply_rope(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin);

// Additive attention mask [B, 1, T, Tk] from the key padding mask [B, Tk] (1 = token):
// query t (absolute position past + t) sees key s iff s <= past + t and mask[b, s] == 1.
// Masked entries hold the dtype's lowest finite value (as HF does, so fully masked rows
// stay finite).
torch::Tensor build_attention_mask(const torch::Tensor& key_mask, int64_t q_len, c10::ScalarType dtype);
// Additive causal mask [n, n] (0 on and below the diagonal, lowest finite value above): the
// per-row mask of packed attention (LayerInputs::segments), built once per batch.
torch::Tensor causal_mask(int64_t n, c10::ScalarType dtype, c10::Device device);

// Hook applied to the flat projections before the head reshape (OLMo clip_qkv,
// OLMo-2 q_norm/k_norm). q: [B, T, H*d], k, v: [B, T, KV*d].
using QKVHook = std::function<void(torch::Tensor& q, torch::Tensor& k, torch::Tensor& v)>;

// Self-attention with GQA, RoPE and an optional KV cache. x: [B, T, D] -> [B, T, D].
torch::Tensor self_attention(const LayerInputs& in, const torch::Tensor& x, const QKVHook& hook);
// The attention core after the projections and RoPE: KV cache, GQA repeat, packed rows or the
// padded mask. q: [B, H, T, d], k/v: [B, KV, T, d] -> [B, T, H*d] (before the output projection).
torch::Tensor attend(const LayerInputs& in, torch::Tensor q, torch::Tensor k, torch::Tensor v);
// SwiGLU MLP: down(silu(gate(x)) * up(x)). x: [B, T, D] -> [B, T, D].
torch::Tensor swiglu_mlp(const LayerInputs& in, const torch::Tensor& x);

// Per-layer weights shared by all three architectures (projections and biases).
std::vector<WeightSpec> projection_weights(const ModelConfig& c);

}  // namespace libu::model
