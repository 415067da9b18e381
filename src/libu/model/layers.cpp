#include "libu/model/layers.h"

#include "libu/model/kv_cache.h"

namespace libu::model {

namespace F = torch::nn::functional;

torch::Tensor olmo_layer_norm(const torch::Tensor& x, double eps) {
  auto xf = x.to(torch::kFloat);
  auto y = torch::layer_norm(xf, {x.size(-1)}, {}, {}, eps);
  return y.to(x.scalar_type());
}

static torch::Tensor rms_normalise(const torch::Tensor& xf, double eps) {
  auto var = xf.pow(2).mean(-1, /*keepdim=*/true);
  return xf * torch::rsqrt(var + eps);
}

torch::Tensor llama_rms_norm(const torch::Tensor& x, const torch::Tensor& w, double eps) {
  auto y = rms_normalise(x.to(torch::kFloat), eps).to(x.scalar_type());
  return w * y;
}

torch::Tensor olmo2_rms_norm(const torch::Tensor& x, const torch::Tensor& w, double eps) {
  auto y = rms_normalise(x.to(torch::kFloat), eps);
  return (w * y).to(x.scalar_type());
}

std::pair<torch::Tensor, torch::Tensor> rope_tables(const torch::Tensor& positions, int64_t head_dim,
                                                    double theta, c10::ScalarType dtype, const RopeScaling* scaling) {
  auto opts = torch::TensorOptions().dtype(torch::kFloat).device(positions.device());
  // inv_freq[i] = 1 / theta^(2i/d), i < d/2   (RoFormer, Su et al. 2021)
  auto inv_freq = 1.0 / torch::pow(theta, torch::arange(0, head_dim, 2, opts) / double(head_dim));
  if (scaling) inv_freq = llama3_inv_freq(inv_freq, *scaling);
  auto freqs = positions.to(torch::kFloat).unsqueeze(-1) * inv_freq;  // [B, T, d/2]
  auto emb = torch::cat({freqs, freqs}, -1);                          // [B, T, d]
  return {emb.cos().to(dtype), emb.sin().to(dtype)};
}

static torch::Tensor rotate_half(const torch::Tensor& x) {
  int64_t h = x.size(-1) / 2;
  auto x1 = x.narrow(-1, 0, h), x2 = x.narrow(-1, h, h);
  return torch::cat({-x2, x1}, -1);
}

torch::Tensor apply_rope(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
  auto c = cos.unsqueeze(1), s = sin.unsqueeze(1);  // [B, 1, T, d]
  return x * c + rotate_half(x) * s;
}

// The dtype's lowest finite value (HF's finfo.min): masked scores stay finite.
static double lowest_value(c10::ScalarType dtype) {
  return dtype == torch::kBFloat16 ? -3.3895313892515355e38
         : dtype == torch::kHalf   ? -65504.0
         : dtype == torch::kDouble ? -1.7976931348623157e308
                                   : -3.4028234663852886e38;
}

torch::Tensor build_attention_mask(const torch::Tensor& key_mask, int64_t q_len, c10::ScalarType dtype) {
  int64_t tk = key_mask.size(1), past = tk - q_len;
  auto dev = key_mask.device();
  auto q_pos = torch::arange(past, tk, torch::TensorOptions().dtype(torch::kLong).device(dev));
  auto k_pos = torch::arange(0, tk, torch::TensorOptions().dtype(torch::kLong).device(dev));
  auto causal = k_pos.unsqueeze(0) <= q_pos.unsqueeze(1);           // [T, Tk]
  auto allowed = causal.unsqueeze(0) & key_mask.to(torch::kBool).unsqueeze(1);  // [B, T, Tk]
  auto m = torch::zeros(allowed.sizes(), torch::TensorOptions().dtype(dtype).device(dev));
  m.masked_fill_(allowed.logical_not(), lowest_value(dtype));
  return m.unsqueeze(1);  // [B, 1, T, Tk]
}

torch::Tensor causal_mask(int64_t n, c10::ScalarType dtype, c10::Device device) {
  auto allowed = torch::ones({n, n}, torch::TensorOptions().dtype(torch::kBool).device(device)).tril();  // [n, n]
  auto m = torch::zeros({n, n}, torch::TensorOptions().dtype(dtype).device(device));
  return m.masked_fill_(allowed.logical_not(), lowest_value(dtype));
}

// softmax(q k^T / sqrt(d) + mask) v, the softmax in fp32 and cast back (as HF eager attention).
// q: [B, H, T, d], k/v: [B, H, Tk, d], mask: additive, broadcastable to [B, H, T, Tk].
static torch::Tensor attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const torch::Tensor& mask) {
  auto scores = torch::matmul(q, k.transpose(2, 3)) * (1.0 / std::sqrt(double(q.size(-1))));  // [B, H, T, Tk]
  auto probs = torch::softmax(scores + mask, -1, torch::kFloat).to(q.scalar_type());
  return torch::matmul(probs, v);  // [B, H, T, d]
}

// Block-diagonal causal attention over packed rows: each row attends to its own earlier
// tokens only, so no FLOP goes to another row or to padding. q/k/v: [1, H, N, d];
// causal: [Lmax, Lmax] additive; lengths: the rows' token counts (sum N).
static torch::Tensor segment_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                       const torch::Tensor& causal, const std::vector<int64_t>& lengths) {
  std::vector<torch::Tensor> outs;
  outs.reserve(lengths.size());
  int64_t off = 0;
  for (int64_t len : lengths) {
    auto m = causal.narrow(0, 0, len).narrow(1, 0, len);  // [len, len]
    outs.push_back(attention(q.narrow(2, off, len), k.narrow(2, off, len), v.narrow(2, off, len), m));
    off += len;
  }
  return outs.size() == 1 ? outs[0] : torch::cat(outs, 2);  // [1, H, N, d]
}

torch::Tensor self_attention(const LayerInputs& in, const torch::Tensor& x, const QKVHook& hook) {
  const auto& c = in.cfg;
  const int64_t B = x.size(0), T = x.size(1), H = c.num_heads, KV = c.num_kv_heads, d = c.head_dim;
  auto q = in.linear(x, "self_attn.q_proj");  // [B, T, H*d]
  auto k = in.linear(x, "self_attn.k_proj");  // [B, T, KV*d]
  auto v = in.linear(x, "self_attn.v_proj");  // [B, T, KV*d]
  if (hook) hook(q, k, v);
  q = q.view({B, T, H, d}).transpose(1, 2);   // [B, H, T, d]
  k = k.view({B, T, KV, d}).transpose(1, 2);  // [B, KV, T, d]
  v = v.view({B, T, KV, d}).transpose(1, 2);
  q = apply_rope(q, in.cos, in.sin);
  k = apply_rope(k, in.cos, in.sin);
  return in.linear(attend(in, q, k, v), "self_attn.o_proj");
}

torch::Tensor attend(const LayerInputs& in, torch::Tensor q, torch::Tensor k, torch::Tensor v) {
  int64_t B = q.size(0), T = q.size(2), H = q.size(1), KV = k.size(1), d = q.size(3);
  if (in.cache) {
    if (in.cache->k.defined()) {
      k = torch::cat({in.cache->k, k}, 2);  // [B, KV, Tk, d]
      v = torch::cat({in.cache->v, v}, 2);
    }
    in.cache->k = k;
    in.cache->v = v;
  }
  int64_t Tk = k.size(2);
  if (KV != H) {  // GQA: repeat each kv head H/KV times
    k = k.unsqueeze(2).expand({B, KV, H / KV, Tk, d}).reshape({B, H, Tk, d});
    v = v.unsqueeze(2).expand({B, KV, H / KV, Tk, d}).reshape({B, H, Tk, d});
  }
  auto out = in.segments ? segment_attention(q, k, v, in.mask, *in.segments)  // [1, H, N, d]
                         : attention(q, k, v, in.mask);                      // [B, H, T, d]
  return out.transpose(1, 2).reshape({B, T, H * d});  // [B, T, H*d]
}

torch::Tensor swiglu_mlp(const LayerInputs& in, const torch::Tensor& x) {
  auto g = in.linear(x, "mlp.gate_proj");  // [B, T, F]
  auto u = in.linear(x, "mlp.up_proj");    // [B, T, F]
  return in.linear(torch::silu(g) * u, "mlp.down_proj");
}

std::vector<WeightSpec> projection_weights(const ModelConfig& c) {
  int64_t D = c.hidden_size, q = c.num_heads * c.head_dim, kv = c.num_kv_heads * c.head_dim;
  int64_t Fd = c.intermediate_size;
  std::vector<WeightSpec> w = {
      {"self_attn.q_proj.weight", {q, D}},      {"self_attn.k_proj.weight", {kv, D}},
      {"self_attn.v_proj.weight", {kv, D}},     {"self_attn.o_proj.weight", {D, q}},
      {"mlp.gate_proj.weight", {Fd, D}},        {"mlp.up_proj.weight", {Fd, D}},
      {"mlp.down_proj.weight", {D, Fd}},
  };
  if (c.qkv_bias && !c.attention_bias) {  // Qwen2
    w.push_back({"self_attn.q_proj.bias", {q}, WeightSpec::Zeros});
    w.push_back({"self_attn.k_proj.bias", {kv}, WeightSpec::Zeros});
    w.push_back({"self_attn.v_proj.bias", {kv}, WeightSpec::Zeros});
  }
  if (c.attention_bias) {
    w.push_back({"self_attn.q_proj.bias", {q}, WeightSpec::Zeros});
    w.push_back({"self_attn.k_proj.bias", {kv}, WeightSpec::Zeros});
    w.push_back({"self_attn.v_proj.bias", {kv}, WeightSpec::Zeros});
    w.push_back({"self_attn.o_proj.bias", {D}, WeightSpec::Zeros});
  }
  if (c.mlp_bias) {
    w.push_back({"mlp.gate_proj.bias", {Fd}, WeightSpec::Zeros});
    w.push_back({"mlp.up_proj.bias", {Fd}, WeightSpec::Zeros});
    w.push_back({"mlp.down_proj.bias", {D}, WeightSpec::Zeros});
  }
  return w;
}

void KVCache::select_rows(const torch::Tensor& index) {
  for (auto& l : layers) {
    if (!l.k.defined()) continue;
    l.k = l.k.index_select(0, index);
    l.v = l.v.index_select(0, index);
  }
  if (key_mask.defined()) key_mask = key_mask.index_select(0, index);
}

std::unique_ptr<Architecture> make_architecture(Arch a) {
  switch (a) {
    case Arch::Olmo: return make_olmo();
    case Arch::Llama: return make_llama();
    case Arch::Olmo2: return make_olmo2();
    case Arch::Qwen2: return make_qwen2();
    case Arch::NeoX: return make_neox();
  }
  return nullptr;
}

std::vector<WeightSpec> all_weights(const ModelConfig& c, const Architecture& a) {
  std::vector<WeightSpec> w = {{c.embed_name(), {c.vocab_size, c.hidden_size}}};
  for (int64_t i = 0; i < c.num_layers; ++i)
    for (auto s : a.layer_weights(c)) {
      s.name = c.layer_prefix(i) + s.name;
      w.push_back(s);
    }
  for (auto& s : a.extra_weights(c)) w.push_back(s);
  if (!c.tie_word_embeddings) w.push_back({c.head_name(), {c.vocab_size, c.hidden_size}});
  return w;
}

}  // namespace libu::model
