#!/usr/bin/env python3
"""The peer a GPU user would pick: Hugging Face transformers + PEFT (issue #24).

Loads an OLMo folder written by `libu init --arch olmo --preset 1b|7b` with transformers'
OlmoForCausalLM, wraps it in a PEFT LoRA of the given rank, alpha and targets, and times
--steps training steps (forward, backward, AdamW on the LoRA parameters) on the same rows and
batch shape as `unlearn_bench`/`libu unlearn`: --rows tokenised with the folder's tokenizer.json,
--batch rows per step, each cut or padded to --seq tokens. Prints one JSON line:
  {"peer": "hf_peft", "step_ms_median", "tokens_per_s", "peak_mem_gib", ...}

With --fixture OUT it instead writes a parity fixture in the format of ../shared/fixtures/models
(OUT/expected.safetensors: input_ids, attention_mask, labels, logits, loss, lora_logits,
lora_loss, grad.<PEFT key>; OUT/adapter: the PEFT adapter with a non-zero B), computed in fp32,
so that `libu parity --model DIR --expected OUT/expected.safetensors --adapter OUT/adapter`
checks libu's logits and LoRA gradients against the real library on the same random weights.

Needs torch, transformers, peft and tokenizers (the GPU machine has them; nothing is downloaded).
"""
import argparse, json, os, statistics, sys, time

import torch


def rows_of(path):
    """Rows as strings: jsonl records (input + output, or document) or a SemEval parquet."""
    if path.endswith(".parquet"):
        import pyarrow.parquet as pq
        t = pq.read_table(path).to_pydict()
        return [i + o for i, o in zip(t["input"], t["output"])]
    out = []
    with open(path) as f:
        for line in f:
            j = json.loads(line)
            out.append(j.get("document") or (j.get("input", "") + j.get("output", "")))
    return out


def batch_of(model_dir, rows, batch, seq, device):
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    ids = torch.zeros(batch, seq, dtype=torch.long)
    mask = torch.zeros(batch, seq, dtype=torch.long)
    for b in range(batch):
        enc = tok.encode(rows[b % len(rows)], add_special_tokens=False).ids
        while len(enc) < seq:  # short rows repeat, as the libu bench fills T
            enc = enc + enc
        ids[b] = torch.tensor(enc[:seq])
        mask[b] = 1
    labels = ids.clone()
    labels[:, 0] = -100
    return ids.to(device), mask.to(device), labels.to(device)


def peft_model(model_dir, dtype, device, r, alpha, targets):
    from transformers import AutoModelForCausalLM
    from peft import LoraConfig, get_peft_model
    m = AutoModelForCausalLM.from_pretrained(model_dir, torch_dtype=dtype, attn_implementation="sdpa").to(device)
    cfg = LoraConfig(r=r, lora_alpha=alpha, lora_dropout=0.0, target_modules=targets, bias="none", task_type="CAUSAL_LM")
    return get_peft_model(m, cfg)


def timed_steps(a):
    dev = torch.device(a.device)
    dtype = torch.bfloat16 if a.dtype == "bf16" else torch.float32
    m = peft_model(a.model, dtype, dev, a.rank, a.alpha, a.targets.split(","))
    ids, mask, labels = batch_of(a.model, rows_of(a.rows), a.batch, a.seq, dev)
    params = [p for p in m.parameters() if p.requires_grad]
    for p in params:  # LoRA masters in fp32, as libu keeps them
        p.data = p.data.float()
    opt = torch.optim.AdamW(params, lr=1e-4)
    times = []
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats(dev)
    for s in range(a.warmup + a.steps):
        if dev.type == "cuda":
            torch.cuda.synchronize(dev)
        t0 = time.perf_counter()
        with torch.autocast(dev.type, dtype=dtype, enabled=dtype != torch.float32):
            loss = m(input_ids=ids, attention_mask=mask, labels=labels).loss
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        if dev.type == "cuda":
            torch.cuda.synchronize(dev)
        if s >= a.warmup:
            times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    out = {"peer": "hf_peft", "model": a.model, "device": a.device, "dtype": a.dtype, "batch": a.batch, "seq": a.seq,
           "rank": a.rank, "alpha": a.alpha, "targets": a.targets, "steps": a.steps,
           "step_ms_median": med * 1e3, "tokens_per_s": a.batch * a.seq / med, "loss": float(loss),
           "torch": torch.__version__}
    if dev.type == "cuda":
        out["peak_mem_gib"] = torch.cuda.max_memory_allocated(dev) / 2**30
    return out


def write_fixture(a):
    """fp32 logits, loss and LoRA gradients of transformers + PEFT, in the shared fixtures' format."""
    from safetensors.torch import save_file
    dev = torch.device(a.device)
    m = peft_model(a.model, torch.float32, dev, a.rank, a.alpha, a.targets.split(","))
    ids, mask, labels = batch_of(a.model, rows_of(a.rows), a.batch, a.seq, dev)
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():  # B = 0 would make every A gradient 0: give B small values
        for n, p in m.named_parameters():
            if "lora_B" in n:
                p.copy_((torch.randn(p.shape, generator=g) * 0.02).to(p.device))
    out = {"input_ids": ids.cpu(), "attention_mask": mask.cpu(), "labels": labels.cpu()}
    with m.disable_adapter(), torch.no_grad():
        r = m(input_ids=ids, attention_mask=mask, labels=labels)
        out["logits"], out["loss"] = r.logits.float().cpu(), r.loss.float().cpu()
    r = m(input_ids=ids, attention_mask=mask, labels=labels)
    r.loss.backward()
    out["lora_logits"], out["lora_loss"] = r.logits.detach().float().cpu(), r.loss.detach().float().cpu()
    for n, p in m.named_parameters():
        if p.requires_grad:  # PEFT's saved key: drop the adapter name
            out["grad." + n.replace(".default", "")] = p.grad.float().cpu().contiguous()
    os.makedirs(a.fixture, exist_ok=True)
    save_file({k: v.contiguous() for k, v in out.items()}, os.path.join(a.fixture, "expected.safetensors"))
    m.save_pretrained(os.path.join(a.fixture, "adapter"))
    return {"peer": "hf_peft", "fixture": a.fixture, "loss": float(out["loss"]), "lora_loss": float(out["lora_loss"]),
            "grad_tensors": sum(k.startswith("grad.") for k in out)}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="OLMo folder (libu init --arch olmo --preset 1b|7b)")
    p.add_argument("--rows", required=True, help="jsonl or SemEval parquet rows")
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--seq", type=int, default=256)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--rank", type=int, default=16)
    p.add_argument("--alpha", type=float, default=32)
    p.add_argument("--targets", default="q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj")
    p.add_argument("--dtype", default="bf16", choices=["bf16", "fp32"])
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--fixture", help="write a parity fixture here instead of timing")
    a = p.parse_args()
    print(json.dumps(write_fixture(a) if a.fixture else timed_steps(a)))


if __name__ == "__main__":
    sys.exit(main())
