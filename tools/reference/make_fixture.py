#!/usr/bin/env python3
"""Reference fixtures for libu's model families, in plain PyTorch (no Hugging Face code).

Writes a tiny HF-format model folder like the shared fixtures (../shared/fixtures/models):
config.json, model.safetensors, expected.safetensors (input_ids, attention_mask, labels,
logits, loss, lora_logits, lora_loss, grad.<PEFT key>) and adapter/ (PEFT, r 4, alpha 8, both
A and B non-zero). `libu parity` then checks libu against it (ctest reference_parity_*).

The forward is written from the published model equations, independently of libu's C++:
  olmo   — OLMo (Groeneveld et al. 2024): LayerNorm without parameters, SwiGLU, RoPE
  llama  — Llama (Touvron et al. 2023): RMSNorm, SwiGLU, RoPE, grouped-query attention
  llama3 — Llama 3 (arXiv 2407.21783): llama with rope_scaling "llama3"
  qwen2  — Qwen2 (arXiv 2407.10671): llama with biases on q, k and v, untied embeddings here
  neox   — GPT-NeoX / Pythia (arXiv 2204.06745): LayerNorm with bias, fused per-head [q|k|v],
           partial rotary (rotary_pct), GELU MLP, parallel residual (neox-sequential: without)
Usage: make_fixture.py --arch qwen2|llama3|neox|neox-sequential --out DIR [--seed 0]
"""
import argparse
import json
import math
import os
import struct

import torch

# ---- safetensors, from the format: u64 header length, JSON header, raw little-endian data ----

_DT = {torch.float32: "F32", torch.int64: "I64", torch.bfloat16: "BF16"}
_TD = {"F32": torch.float32, "I64": torch.int64, "BF16": torch.bfloat16, "F16": torch.float16, "I32": torch.int32}


def save_safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    for k in sorted(tensors):
        t = tensors[k].detach().contiguous().cpu()
        b = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[k] = {"dtype": _DT[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def load_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        a, b = v["data_offsets"]
        t = torch.frombuffer(bytearray(data[a:b]), dtype=_TD[v["dtype"]]) if b > a else torch.empty(0)
        out[k] = t.reshape(v["shape"])
    return out


# ---- the decoder ----

def inv_freq(cfg, head_dim):
    """RoPE frequencies 1/θ^(2i/d); with rope_scaling llama3, long wavelengths slowed by `factor`."""
    f = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
    rs = cfg.get("rope_scaling")
    if not rs:
        return f
    L, s, lo, hi = rs["original_max_position_embeddings"], rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
    out = []
    for x in f.tolist():
        wl = 2 * math.pi / x
        if wl < L / hi:
            out.append(x)
        elif wl > L / lo:
            out.append(x / s)
        else:
            mu = (L / wl - lo) / (hi - lo)
            out.append((1 - mu) * x / s + mu * x)
    return torch.tensor(out, dtype=torch.float64)


def rope(x, T, freqs):
    """x [B, H, T, d] rotated by the rotate-half convention at positions 0..T-1."""
    d = x.shape[-1]
    ang = torch.arange(T, dtype=torch.float64)[:, None] * freqs[None, :]
    emb = torch.cat([ang, ang], -1)
    cos, sin = emb.cos().float(), emb.sin().float()
    return x * cos + torch.cat([-x[..., d // 2:], x[..., : d // 2]], -1) * sin


def forward(cfg, w, ids, mask, lora=None, scale=2.0):
    """logits [B, T, V] fp32. w: HF names -> tensors; lora: module path -> (A [r, in], B [out, r])."""
    w = {k: v.float() for k, v in w.items()}
    olmo = cfg["model_type"] == "olmo"
    D, H = cfg["hidden_size"], cfg["num_attention_heads"]
    KV = cfg.get("num_key_value_heads") or H
    hd = cfg.get("head_dim") or D // H
    eps = cfg.get("rms_norm_eps", 1e-6)
    freqs = inv_freq(cfg, hd)

    def norm(x, name):
        if olmo:
            return torch.nn.functional.layer_norm(x, (D,), eps=1e-5)
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w[name]

    def lin(x, mod):
        y = x @ w[mod + ".weight"].T
        if mod + ".bias" in w:
            y = y + w[mod + ".bias"]
        if lora and mod in lora:
            a, b = lora[mod]
            y = y + scale * ((x @ a.T) @ b.T)
        return y

    B, T = ids.shape
    x = w["model.embed_tokens.weight"][ids]
    allowed = torch.ones(T, T, dtype=torch.bool).tril()[None, None] & mask.bool()[:, None, None, :]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        h = norm(x, p + "input_layernorm.weight")
        q = lin(h, p + "self_attn.q_proj").view(B, T, H, hd).transpose(1, 2)
        k = lin(h, p + "self_attn.k_proj").view(B, T, KV, hd).transpose(1, 2)
        v = lin(h, p + "self_attn.v_proj").view(B, T, KV, hd).transpose(1, 2)
        q, k = rope(q, T, freqs), rope(k, T, freqs)
        k, v = k.repeat_interleave(H // KV, 1), v.repeat_interleave(H // KV, 1)
        s = ((q @ k.transpose(-1, -2)) / math.sqrt(hd)).masked_fill(~allowed, float("-inf"))
        x = x + lin((s.softmax(-1) @ v).transpose(1, 2).reshape(B, T, H * hd), p + "self_attn.o_proj")
        h = norm(x, p + "post_attention_layernorm.weight")
        x = x + lin(torch.nn.functional.silu(lin(h, p + "mlp.gate_proj")) * lin(h, p + "mlp.up_proj"),
                    p + "mlp.down_proj")
    x = norm(x, "model.norm.weight")
    return x @ w.get("lm_head.weight", w["model.embed_tokens.weight"]).T


def forward_neox(cfg, w, ids, mask, lora=None, scale=2.0):
    """GPT-NeoX logits [B, T, V] fp32 (names gpt_neox.*, embed_out)."""
    w = {k: v.float() for k, v in w.items()}
    D, H = cfg["hidden_size"], cfg["num_attention_heads"]
    hd = D // H
    rd = int(hd * cfg["rotary_pct"])
    freqs = 1.0 / (cfg["rotary_emb_base"] ** (torch.arange(0, rd, 2, dtype=torch.float64) / rd))
    eps = cfg["layer_norm_eps"]

    def ln(x, name):
        return torch.nn.functional.layer_norm(x, (D,), w[name + ".weight"], w[name + ".bias"], eps)

    def lin(x, mod):
        y = x @ w[mod + ".weight"].T + w[mod + ".bias"]
        if lora and mod in lora:
            a, b = lora[mod]
            y = y + scale * ((x @ a.T) @ b.T)
        return y

    def gelu(x):
        return torch.nn.functional.gelu(x) if cfg["hidden_act"] == "gelu" else torch.nn.functional.gelu(x, approximate="tanh")

    B, T = ids.shape
    x = w["gpt_neox.embed_in.weight"][ids]
    allowed = torch.ones(T, T, dtype=torch.bool).tril()[None, None] & mask.bool()[:, None, None, :]
    for i in range(cfg["num_hidden_layers"]):
        p = f"gpt_neox.layers.{i}."
        qkv = lin(ln(x, p + "input_layernorm"), p + "attention.query_key_value").view(B, T, H, 3 * hd).transpose(1, 2)
        q, k, v = qkv[..., :hd], qkv[..., hd:2 * hd], qkv[..., 2 * hd:]
        q = torch.cat([rope(q[..., :rd], T, freqs), q[..., rd:]], -1)
        k = torch.cat([rope(k[..., :rd], T, freqs), k[..., rd:]], -1)
        s = ((q @ k.transpose(-1, -2)) / math.sqrt(hd)).masked_fill(~allowed, float("-inf"))
        a = lin((s.softmax(-1) @ v).transpose(1, 2).reshape(B, T, D), p + "attention.dense")
        mlp = lambda h: lin(gelu(lin(h, p + "mlp.dense_h_to_4h")), p + "mlp.dense_4h_to_h")  # noqa: E731
        if cfg["use_parallel_residual"]:
            x = x + a + mlp(ln(x, p + "post_attention_layernorm"))
        else:
            x = x + a
            x = x + mlp(ln(x, p + "post_attention_layernorm"))
    x = ln(x, "gpt_neox.final_layer_norm")
    return x @ w["embed_out.weight"].T


def causal_lm_loss(logits, labels):
    """HF's shifted mean cross-entropy over labels != -100."""
    V = logits.shape[-1]
    return torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, V), labels[:, 1:].reshape(-1),
                                             ignore_index=-100)


# ---- the fixture ----

def tiny_config(arch):
    c = {"hidden_size": 64, "intermediate_size": 176, "num_hidden_layers": 2, "num_attention_heads": 4,
         "num_key_value_heads": 2, "vocab_size": 384, "max_position_embeddings": 256, "rms_norm_eps": 1e-6,
         "hidden_act": "silu", "pad_token_id": 1, "eos_token_id": 2, "torch_dtype": "float32"}
    if arch == "qwen2":
        c.update({"model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"], "rope_theta": 1000000.0,
                  "tie_word_embeddings": False, "use_sliding_window": False})
    elif arch == "llama3":
        # original context 16: at head_dim 16 one frequency is blended and the rest slowed
        c.update({"model_type": "llama", "architectures": ["LlamaForCausalLM"], "rope_theta": 500000.0,
                  "tie_word_embeddings": True, "attention_bias": False,
                  "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                   "high_freq_factor": 4.0, "original_max_position_embeddings": 16}})
    elif arch in ("neox", "neox-sequential"):
        c = {"model_type": "gpt_neox", "architectures": ["GPTNeoXForCausalLM"], "hidden_size": 64,
             "intermediate_size": 256, "num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size": 384,
             "max_position_embeddings": 256, "rotary_pct": 0.25, "rotary_emb_base": 10000.0, "layer_norm_eps": 1e-5,
             "use_parallel_residual": arch == "neox", "hidden_act": "gelu", "tie_word_embeddings": False,
             "pad_token_id": 1, "eos_token_id": 2, "torch_dtype": "float32"}
    else:
        raise SystemExit(f"unknown --arch {arch} (qwen2, llama3, neox, neox-sequential)")
    return c


def weights_neox(cfg, g):
    D, F, V = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    r = lambda *s: torch.randn(*s, generator=g) * 0.08  # noqa: E731
    w = {"gpt_neox.embed_in.weight": torch.randn(V, D, generator=g) * 0.5, "embed_out.weight": r(V, D) * 3,
         "gpt_neox.final_layer_norm.weight": 1 + r(D), "gpt_neox.final_layer_norm.bias": r(D)}
    for i in range(cfg["num_hidden_layers"]):
        p = f"gpt_neox.layers.{i}."
        for n in ("input_layernorm", "post_attention_layernorm"):
            w[p + n + ".weight"], w[p + n + ".bias"] = 1 + r(D), r(D)
        for n, (o, k) in {"attention.query_key_value": (3 * D, D), "attention.dense": (D, D),
                          "mlp.dense_h_to_4h": (F, D), "mlp.dense_4h_to_h": (D, F)}.items():
            w[p + n + ".weight"], w[p + n + ".bias"] = r(o, k), r(o)
    return w


def weights(cfg, g):
    D, F, V = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    H, KV = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = D // H
    r = lambda *s: torch.randn(*s, generator=g) * 0.08  # noqa: E731
    w = {"model.embed_tokens.weight": torch.randn(V, D, generator=g) * 0.5, "model.norm.weight": 1 + r(D)}
    if not cfg.get("tie_word_embeddings"):
        w["lm_head.weight"] = r(V, D) * 3
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        w.update({p + "self_attn.q_proj.weight": r(H * hd, D), p + "self_attn.k_proj.weight": r(KV * hd, D),
                  p + "self_attn.v_proj.weight": r(KV * hd, D), p + "self_attn.o_proj.weight": r(D, H * hd),
                  p + "mlp.gate_proj.weight": r(F, D), p + "mlp.up_proj.weight": r(F, D),
                  p + "mlp.down_proj.weight": r(D, F), p + "input_layernorm.weight": 1 + r(D),
                  p + "post_attention_layernorm.weight": 1 + r(D)})
        if cfg["model_type"] == "qwen2":
            for m, n in (("q_proj", H * hd), ("k_proj", KV * hd), ("v_proj", KV * hd)):
                w[p + f"self_attn.{m}.bias"] = r(n) * 4
    return w


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--arch", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    cfg = tiny_config(a.arch)
    g = torch.Generator().manual_seed(a.seed)
    neox = cfg["model_type"] == "gpt_neox"
    w = weights_neox(cfg, g) if neox else weights(cfg, g)
    fwd = forward_neox if neox else forward
    B, T = 3, 12
    ids = torch.randint(3, cfg["vocab_size"], (B, T), generator=g)
    mask = torch.ones(B, T, dtype=torch.int64)
    mask[1, 9:] = 0  # right padding on rows 1 and 2
    mask[2, 6:] = 0
    ids[mask == 0] = cfg["pad_token_id"]
    labels = ids.masked_fill(mask == 0, -100)
    labels[0, :4] = -100  # prompt masking on row 0
    with torch.no_grad():
        logits = fwd(cfg, w, ids, mask)
    loss = causal_lm_loss(logits, labels)
    r, alpha = 4, 8.0
    lora, peft = {}, {}
    targets = ("query_key_value", "dense") if neox else ("q_proj", "k_proj", "v_proj", "o_proj")
    for i in range(cfg["num_hidden_layers"]):
        for m in targets:
            mod = f"gpt_neox.layers.{i}.attention.{m}" if neox else f"model.layers.{i}.self_attn.{m}"
            out_f, in_f = w[mod + ".weight"].shape
            A = (torch.randn(r, in_f, generator=g) * 0.1).requires_grad_()
            Bm = (torch.randn(out_f, r, generator=g) * 0.1).requires_grad_()
            lora[mod] = (A, Bm)
            peft[f"base_model.model.{mod}.lora_A.weight"] = A
            peft[f"base_model.model.{mod}.lora_B.weight"] = Bm
    lora_logits = fwd(cfg, w, ids, mask, lora, alpha / r)
    lora_loss = causal_lm_loss(lora_logits, labels)
    lora_loss.backward()
    exp = {"input_ids": ids, "attention_mask": mask, "labels": labels, "logits": logits, "loss": loss.reshape(()),
           "lora_logits": lora_logits.detach(), "lora_loss": lora_loss.detach().reshape(())}
    for k, t in peft.items():
        exp["grad." + k] = t.grad
    os.makedirs(os.path.join(a.out, "adapter"), exist_ok=True)
    with open(os.path.join(a.out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    save_safetensors(os.path.join(a.out, "model.safetensors"), w)
    save_safetensors(os.path.join(a.out, "expected.safetensors"), exp)
    save_safetensors(os.path.join(a.out, "adapter", "adapter_model.safetensors"), peft)
    with open(os.path.join(a.out, "adapter", "adapter_config.json"), "w") as f:
        json.dump({"peft_type": "LORA", "task_type": "CAUSAL_LM", "r": r, "lora_alpha": alpha, "lora_dropout": 0.0,
                   "target_modules": list(targets), "bias": "none",
                   "fan_in_fan_out": False, "base_model_name_or_path": f"{a.arch}-tiny"}, f, indent=2)
    print(a.out)


if __name__ == "__main__":
    main()
