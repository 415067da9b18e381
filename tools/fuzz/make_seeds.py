#!/usr/bin/env python3
"""Seed inputs for the fuzz targets (tests/fuzz), written to OUT/<target>/.

Seeds come from ../shared (parquet-testing files, tokenizers shrunk to a few hundred
entries, fixture configs, MMLU and SemEval rows cut short) plus hand-made edge cases. They
stay in the build folder: only the minimised corpus a campaign ends with is committed.
Usage: make_seeds.py SHARED OUT
"""
import glob
import json
import os
import struct
import sys


def write(out, target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


def head_lines(path, n, limit=4096):
    with open(path, "rb") as f:
        return b"".join(f.readline() for _ in range(n))[:limit]


def shrink_tokenizer(tok, keep=300, merges=200):
    """A tokenizer.json of the same pipeline with the first `keep` vocab ids only."""
    model = tok.get("model", {})
    vocab = model.get("vocab")
    if isinstance(vocab, dict):
        kept = dict(sorted(vocab.items(), key=lambda kv: kv[1])[:keep])
        model["vocab"] = kept
        ms = []
        for m in model.get("merges", []):
            a, b = m.split(" ", 1) if isinstance(m, str) else m
            if a in kept and b in kept and a + b in kept:
                ms.append(m)
            if len(ms) >= merges:
                break
        model["merges"] = ms
    tok["added_tokens"] = [t for t in tok.get("added_tokens", []) if t.get("id", 0) < keep + 8][:8]
    return tok


def main(shared, out):
    data = os.path.join(shared, "data")
    for p in sorted(glob.glob(os.path.join(data, "parquet-testing", "data", "*.parquet"))):
        if os.path.getsize(p) <= 16384:
            write(out, "parquet", os.path.basename(p), open(p, "rb").read())

    for p in sorted(glob.glob(os.path.join(data, "**", "*.jsonl"), recursive=True))[:8]:
        write(out, "jsonl", os.path.basename(p) + ".head", head_lines(p, 3))
    for i, s in enumerate(['{"a": 1}\n\n{"b": [1, 2]}\n', '{"x": "\\u00e9\\ud83d\\ude00"}', '[1]\n', "{}\r\n{}"]):
        write(out, "jsonl", f"edge{i}", s)

    for p in sorted(glob.glob(os.path.join(data, "mmlu", "**", "*.csv"), recursive=True))[:4]:
        write(out, "csv", os.path.basename(p) + ".head", head_lines(p, 4))
    write(out, "csv", "header", 'question,choice0,choice1,choice2,choice3,answer\n"q, with ""quotes""",a,b,c,d,2\n')

    configs = glob.glob(os.path.join(shared, "fixtures", "models", "*", "config.json"))
    for p in sorted(configs):
        write(out, "model_config", os.path.basename(os.path.dirname(p)), open(p, "rb").read())
    base = {"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4,
            "vocab_size": 256, "max_position_embeddings": 128}
    extra = {
        "qwen2": {"model_type": "qwen2", "num_key_value_heads": 2, "use_sliding_window": False},
        "llama3": {"model_type": "llama", "rope_scaling": {"rope_type": "llama3", "factor": 8.0,
                   "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 32}},
        "neox": {"model_type": "gpt_neox", "rotary_pct": 0.25, "use_parallel_residual": True, "hidden_act": "gelu"},
        "olmo": {"model_type": "olmo", "clip_qkv": 8.0, "eos_token_id": [1, 2]},
    }
    for name, e in extra.items():
        write(out, "model_config", name, json.dumps({**base, **e}))

    for p in sorted(glob.glob(os.path.join(shared, "fixtures", "models", "*", "adapter", "adapter_config.json"))):
        write(out, "adapter_config", os.path.basename(os.path.dirname(os.path.dirname(p))), open(p, "rb").read())
    write(out, "adapter_config", "minimal", '{"r": 4}')

    for p in sorted(glob.glob(os.path.join(data, "tokenizers", "*.tokenizer.json"))):
        tok = shrink_tokenizer(json.load(open(p, encoding="utf-8")))
        write(out, "tokenizer", os.path.basename(p), json.dumps(tok, ensure_ascii=False))

    for p in sorted(glob.glob(os.path.join(data, "safetensors-samples", "*.safetensors"))):
        write(out, "safetensors", os.path.basename(p), b"\x00" + open(p, "rb").read())
    index = {"metadata": {"total_size": 16}, "weight_map": {"w": "model-00001-of-00002.safetensors"}}
    write(out, "safetensors", "index", b"\x01" + json.dumps(index).encode())
    header = json.dumps({"a": {"dtype": "BF16", "shape": [2, 2], "data_offsets": [0, 8]},
                         "__metadata__": {"format": "pt"}}).encode()
    write(out, "safetensors", "made", b"\x00" + struct.pack("<Q", len(header)) + header + bytes(8))

    write(out, "options_config", "all", json.dumps({"lr": 3e-4, "steps": 5, "quiet": True, "method": "gd",
                                                     "lora_targets": ["q_proj", "v_proj"], "name": "x"}))
    write(out, "options_config", "empty", "{}")

    rows = []
    for i, task in enumerate(["Task1", "Task2", "Task3"]):
        rows.append({"id": f"row{i}sc1", "task": task, "output": "the cat sat on the mat",
                     "generation": "The cat sat, on a mat!"})
        rows.append({"id": f"row{i}qa1", "task": task, "output": "Paris", "generation": "It is Paris."})
    write(out, "semeval_predictions", "rows", "".join(json.dumps(r) + "\n" for r in rows))
    mia = [{"id": "m1", "label": "member", "loss": 1.5}, {"id": "n1", "label": "nonmember", "loss": 2.5}]
    write(out, "semeval_predictions", "mia", "".join(json.dumps(r) + "\n" for r in mia))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
