#!/usr/bin/python3
"""Dynamic-padding PyTorch-eager peer of the SemEval per-example bench (issue #12).

Runs the same forward+backward passes as `unlearn_bench --case semeval --workload FILE`: the same
rows, the same batches, LoRA of the same rank on the same modules, on an OLMo-shaped model with
random bf16 weights. Each batch is padded to its longest row (what a careful PyTorch user does),
with a causal + key-padding mask. With --seed-pipeline N it instead times N passes of the seed
pipeline (every row alone, padded to 1024 tokens) and prices the workload at that rate.

Needs Debian's python3-torch (run /usr/bin/python3; a pyenv python3 has no torch).
Usage: semeval_dynamic_padding.py WORKLOAD.json [--preset 1b] [--threads 2] [--seed-pipeline N]
Prints one JSON line."""
import argparse, json, math, statistics, sys, time

import torch
import torch.nn.functional as F

SHAPES = {"tiny": (128, 352, 4, 4, 50304), "1b": (2048, 8192, 16, 16, 50304)}  # D, I, layers, heads, vocab


def build(preset, r, alpha, targets, gen):
    D, I, L, H, V = SHAPES[preset]
    def weight(o, i):
        return (torch.randn(o, i, generator=gen) * 0.02).to(torch.bfloat16)
    shapes = {"q_proj": (D, D), "k_proj": (D, D), "v_proj": (D, D), "o_proj": (D, D),
              "gate_proj": (I, D), "up_proj": (I, D), "down_proj": (D, I)}
    layers = []
    for _ in range(L):
        layer = {}
        for name, (o, i) in shapes.items():
            lora = None
            if name in targets:  # PEFT init: A ~ U(-1/sqrt(in), 1/sqrt(in)), B = 0, fp32 masters
                bound = 1.0 / math.sqrt(i)
                A = (torch.rand(r, i, generator=gen) * 2 - 1).mul_(bound).requires_grad_()
                B = torch.zeros(o, r, requires_grad=True)
                lora = (A, B)
            layer[name] = (weight(o, i), lora)
        layers.append(layer)
    emb = (torch.randn(V, D, generator=gen) * 0.02).to(torch.bfloat16)
    return dict(D=D, H=H, V=V, layers=layers, emb=emb, scale=alpha / r)


def linear(model, x, w):
    W, lora = w
    y = F.linear(x, W)
    if lora is not None:
        A, B = lora
        y = y + F.linear(F.linear(x, A.to(x.dtype)), B.to(x.dtype)) * model["scale"]
    return y


def rope(T, hd):
    inv = 1.0 / (10000.0 ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))
    ang = torch.arange(T, dtype=torch.float32)[:, None] * inv[None, :]
    ang = torch.cat([ang, ang], dim=-1)
    return ang.cos().to(torch.bfloat16), ang.sin().to(torch.bfloat16)


def rotate(x, cos, sin):
    h = x.shape[-1] // 2
    return x * cos + torch.cat([-x[..., h:], x[..., :h]], dim=-1) * sin


def forward(model, ids, key_mask):
    Bsz, T = ids.shape
    D, H = model["D"], model["H"]
    hd = D // H
    cos, sin = rope(T, hd)
    allowed = torch.ones(T, T, dtype=torch.bool).tril()[None, None] & key_mask.bool()[:, None, None, :]
    bias = torch.zeros(allowed.shape, dtype=torch.float32).masked_fill_(~allowed, -1e30)  # [B, 1, T, T]
    x = model["emb"][ids]
    for layer in model["layers"]:
        h = F.layer_norm(x.float(), (D,)).to(x.dtype)
        q = linear(model, h, layer["q_proj"]).view(Bsz, T, H, hd).transpose(1, 2)
        k = linear(model, h, layer["k_proj"]).view(Bsz, T, H, hd).transpose(1, 2)
        v = linear(model, h, layer["v_proj"]).view(Bsz, T, H, hd).transpose(1, 2)
        q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        att = torch.softmax((q @ k.transpose(-1, -2)).float() / math.sqrt(hd) + bias, dim=-1).to(x.dtype)
        x = x + linear(model, (att @ v).transpose(1, 2).reshape(Bsz, T, D), layer["o_proj"])
        h = F.layer_norm(x.float(), (D,)).to(x.dtype)
        x = x + linear(model, F.silu(linear(model, h, layer["gate_proj"])) * linear(model, h, layer["up_proj"]),
                       layer["down_proj"])
    x = F.layer_norm(x.float(), (D,)).to(x.dtype)
    return F.linear(x, model["emb"])  # tied head, [B, T, V] bf16


def one_pass(model, rows, pad_to=0):
    """Forward + backward of one batch, padded to its longest row (or to pad_to)."""
    T = max(pad_to, max(len(r) for r in rows))
    ids = torch.ones(len(rows), T, dtype=torch.long)
    mask = torch.zeros(len(rows), T, dtype=torch.long)
    for b, r in enumerate(rows):
        ids[b, :len(r)] = torch.tensor(r)
        mask[b, :len(r)] = 1
    labels = ids.masked_fill(mask == 0, -100)
    logits = forward(model, ids, mask)
    loss = F.cross_entropy(logits[:, :-1].float().reshape(-1, model["V"]), labels[:, 1:].reshape(-1), ignore_index=-100)
    loss.backward()
    for layer in model["layers"]:
        for _, lora in layer.values():
            if lora is not None:
                for p in lora:
                    p.grad = None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("workload")
    ap.add_argument("--preset", default="1b")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed-pipeline", type=int, default=0,
                    help="time N passes of B=1 rows padded to 1024 tokens and price the workload at that rate")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    w = json.load(open(a.workload))
    model = build(a.preset, w["lora_r"], w["lora_alpha"], set(w["lora_targets"]), torch.Generator().manual_seed(0))
    examples = sum(len(p["rows"]) for p in w["passes"])
    out = {"bench": "semeval_per_example", "preset": a.preset, "threads": a.threads, "example_passes": examples,
           "batch_size": w["batch_size"]}
    if a.seed_pipeline > 0:
        rows = [r for p in w["passes"] for r in p["rows"]][: a.seed_pipeline + 1]
        times = []
        for i, r in enumerate(rows):
            t0 = time.time()
            one_pass(model, [r[:1024]], pad_to=1024)
            if i > 0:
                times.append(time.time() - t0)  # the first pass is warm-up
        per = statistics.median(times)
        out.update({"impl": "seed-pipeline (pytorch-eager, B=1, T=1024)", "pass_s_median": per,
                    "passes_timed": len(times), "seconds": per * examples, "examples_per_s": 1.0 / per})
    else:
        t0 = time.time()
        for p in w["passes"]:
            one_pass(model, p["rows"])
        sec = time.time() - t0
        out.update({"impl": "pytorch-eager dynamic padding", "seconds": sec, "examples_per_s": examples / sec})
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
