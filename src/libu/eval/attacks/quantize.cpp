// libu/eval/attacks/quantize.cpp — see quantize.h.
#include "libu/eval/attacks/quantize.h"

#include "libu/core/error.h"

namespace libu::eval::attacks {

namespace {

void check_args(const torch::Tensor& w, int bits, int64_t group) {
  if (w.dim() != 2) fail_internal(cat("quantize: expected a 2-D weight, got ", w.dim(), " dimensions"));
  if (bits < 2 || bits > 16) fail(cat("quantize: ", bits, " bits"), "use 2 to 16 bits (e.g. 8 or 4)");
  if (group < 1) fail(cat("quantize: group size ", group), "the group size must be at least 1 (default 128)");
}

// w [out, in] -> fp32 [out, G, group] with G = ceil(in / group), zero-padded at the end.
torch::Tensor grouped(const torch::Tensor& w, int64_t group) {
  const int64_t out = w.size(0), in = w.size(1), pad = (group - in % group) % group;
  torch::Tensor x = w.to(torch::kFloat);
  if (pad) x = torch::cat({x, torch::zeros({out, pad}, x.options())}, 1);
  return x.view({out, (in + pad) / group, group});
}

double qmax_of(int bits) { return double((int64_t(1) << (bits - 1)) - 1); }

}  // namespace

torch::Tensor quantize_scales(const torch::Tensor& w, int bits, int64_t group) {
  check_args(w, bits, group);
  torch::NoGradGuard ng;
  return std::get<0>(grouped(w, group).abs().max(-1)) / qmax_of(bits);  // [out, G]
}

namespace {

struct Codes {
  torch::Tensor q;  // [out, G, group] integer codes (fp32), zero in the padding
  torch::Tensor s;  // [out, G, 1] scales, 1 for an all-zero group
};

Codes codes_of(const torch::Tensor& w, int bits, int64_t group) {
  const double qmax = qmax_of(bits);
  torch::Tensor x = grouped(w, group);                                    // [out, G, group]
  torch::Tensor s = std::get<0>(x.abs().max(-1, /*keepdim=*/true)) / qmax;  // [out, G, 1]
  torch::Tensor safe = torch::where(s > 0, s, torch::ones_like(s));        // all-zero group: codes 0
  return {torch::clamp(torch::round(x / safe), -qmax, qmax), safe};
}

}  // namespace

torch::Tensor quantize_roundtrip(const torch::Tensor& w, int bits, int64_t group) {
  check_args(w, bits, group);
  torch::NoGradGuard ng;
  auto [q, safe] = codes_of(w, bits, group);
  torch::Tensor y = (q * safe).view({w.size(0), -1}).narrow(1, 0, w.size(1));
  return y.to(w.scalar_type()).contiguous();
}

bool quantized_weight(const std::string& name, const torch::Tensor& w) {
  return w.dim() == 2 && name.find(".layers.") != std::string::npos;
}

std::map<std::string, torch::Tensor> quantize_weights(const std::map<std::string, torch::Tensor>& weights, int bits,
                                                      int64_t group, int64_t* count) {
  std::map<std::string, torch::Tensor> out;
  int64_t n = 0;
  for (const auto& [name, w] : weights) {
    if (quantized_weight(name, w)) out[name] = quantize_roundtrip(w, bits, group), ++n;
    else out[name] = w;
  }
  if (count) *count = n;
  return out;
}

UpdateVsGrid update_against_grid(const std::map<std::string, torch::Tensor>& base,
                                 const std::map<std::string, torch::Tensor>& updated, int bits, int64_t group) {
  torch::NoGradGuard ng;
  UpdateVsGrid u;
  double changed = 0, steps = 0;
  for (const auto& [name, w1] : updated) {
    auto it = base.find(name);
    if (it == base.end() || !quantized_weight(name, w1)) continue;
    check_args(w1, bits, group);
    torch::Tensor w0 = it->second.to(w1.scalar_type());
    if (w0.sizes() != w1.sizes() || torch::equal(w0, w1)) continue;
    Codes c0 = codes_of(w0, bits, group), c1 = codes_of(w1, bits, group);  // padding: code 0 in both
    changed += c0.q.ne(c1.q).sum().item<double>();
    steps += ((grouped(w1, group) - grouped(w0, group)).abs() / c1.s).sum().item<double>();
    u.elements += w1.numel();
    ++u.tensors;
  }
  if (u.elements) u.codes_changed = changed / double(u.elements), u.update_in_steps = steps / double(u.elements);
  return u;
}

}  // namespace libu::eval::attacks
