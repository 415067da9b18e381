"""`import libu` against outside references (issue #14).

Run by ctest (`python_tests`) as ``python3 -m pytest tests/python`` with PYTHONPATH=build/python.
The reference forward is tools/reference/make_fixture.py's, plain PyTorch from the published
model equations on the fixture's safetensors weights, independent of the C++ code.
"""
import json
import os
import subprocess
import sys
import tempfile

import pytest
import torch

import libu

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# LIBU_SHARED_DIR: a copy of the references elsewhere, as for the C++ tests (tests/common/shared.cpp).
SHARED = os.environ.get("LIBU_SHARED_DIR") or os.path.join(os.path.dirname(ROOT), "shared")
FIXTURES = os.path.join(SHARED, "fixtures", "models")


sys.path.insert(0, os.path.join(ROOT, "tools", "reference"))
from make_fixture import forward as reference_forward  # noqa: E402  the project's plain-PyTorch decoder
from make_fixture import load_safetensors as read_safetensors  # noqa: E402


def reference_logits(cfg, w, ids, mask):
    return reference_forward(cfg, w, ids, mask)


@pytest.mark.parametrize("name", ["olmo-tiny", "llama-tiny-gqa-bf16"])
def test_forward_matches_plain_pytorch(name):
    d = os.path.join(FIXTURES, name)
    cfg = json.load(open(os.path.join(d, "config.json")))
    exp = read_safetensors(os.path.join(d, "expected.safetensors"))
    ids, mask = exp["input_ids"].long(), exp["attention_mask"].long()
    ref = reference_logits(cfg, read_safetensors(os.path.join(d, "model.safetensors")), ids, mask)
    m = libu.Model.load(d, dtype="fp32")
    with torch.no_grad():
        got = m.forward(ids, attention_mask=mask)
    assert got.shape == ref.shape and got.dtype == torch.float32
    sel = mask.bool()
    assert (got[sel] - ref[sel]).abs().max().item() < 1e-4
    # and against the fixture's own expected logits (another implementation)
    assert (got[sel] - exp["logits"].float()[sel]).abs().max().item() < 1e-4


def test_forward_returns_a_tensor_that_shares_memory_and_autograd():
    d = os.path.join(FIXTURES, "olmo-tiny")
    m = libu.Model.load(d, dtype="fp32", adapter=os.path.join(d, "adapter"))
    ids = read_safetensors(os.path.join(d, "expected.safetensors"))["input_ids"].long()
    params = m.lora_parameters()
    assert params and all(p.requires_grad and p.dtype == torch.float32 for p in params.values())
    logits = m.forward(ids)
    logits.float().sum().backward()  # the graph built in C++ runs backward from Python
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in params.values())


def test_own_optimizer_on_lora_parameters_changes_the_model():
    d = os.path.join(FIXTURES, "olmo-tiny")
    exp = read_safetensors(os.path.join(d, "expected.safetensors"))
    ids, labels = exp["input_ids"].long(), exp["labels"].long()
    m = libu.Model.load(d, dtype="fp32")
    m.add_lora(r=4, alpha=8, seed=0)
    params = m.lora_parameters()
    with torch.no_grad():
        before = m.forward(ids).clone()
    opt = torch.optim.AdamW(params.values(), lr=1e-2)
    logits = m.forward(ids)
    loss = torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), labels[:, 1:].reshape(-1),
                                             ignore_index=-100)
    loss.backward()
    opt.step()
    with torch.no_grad():
        after = m.forward(ids)
    assert (after - before).abs().max().item() > 1e-4  # the C++ model saw the Python update


def test_tokenizer_matches_hf_golden_encodings():
    golden = json.load(open(os.path.join(SHARED, "data", "tokenizers", "golden_encodings.json")))["tokenizers"]
    checked = 0
    for fname, g in golden.items():
        tok = libu.Tokenizer.from_file(os.path.join(SHARED, "data", "tokenizers", fname))
        texts = [c["text"] for c in g["cases"]]
        batch = tok.encode_batch(texts)
        for c, ids in zip(g["cases"], batch):
            assert tok.encode(c["text"]) == c["ids"], (fname, c["text"])
            assert ids == c["ids"]
            assert [list(o) for o in tok.offsets(c["text"])] == c["offsets"], (fname, c["text"])
            assert tok.decode(c["ids"]) == c["decoded"], (fname, c["text"])
            checked += 1
    assert checked > 50


def test_read_table_parquet_jsonl_csv(tmp_path):
    pq = os.path.join(SHARED, "data", "semeval25")
    pq_files = sorted(f for f in os.listdir(pq) if f.endswith(".parquet"))
    assert pq_files, "the shared SemEval parquet files are missing"
    rows = libu.read_table(os.path.join(pq, pq_files[0]), columns=["id", "input"], limit=3)
    assert len(rows) == 3 and list(rows[0].keys()) == ["id", "input"]
    p = tmp_path / "a.jsonl"
    p.write_text('{"x": 1, "y": "a"}\n{"x": 2, "y": "b"}\n')
    assert libu.read_table(str(p)) == [{"x": 1, "y": "a"}, {"x": 2, "y": "b"}]
    assert libu.read_table(str(p), columns=["y"], limit=1) == [{"y": "a"}]
    c = tmp_path / "a.csv"
    c.write_text('q,"a,b"\n"x ""y""",2\n')
    assert libu.read_table(str(c)) == [{"q": 'x "y"', "a,b": "2"}]


def test_bad_input_raises_libu_error():
    with pytest.raises(libu.Error) as e:
        libu.Model.load("/no/such/model")
    assert isinstance(e.value, ValueError) and "/no/such/model" in e.value.message
    with pytest.raises(libu.Error) as e:
        libu.read_table("/no/such/file.parquet")
    assert e.value.hint
    with pytest.raises(libu.Error):
        libu.Tokenizer.from_file(os.path.join(FIXTURES, "olmo-tiny", "config.json"))


def test_unlearn_round_trip_on_the_tiny_demo_model(tmp_path):
    exe = os.path.join(os.environ.get("LIBU_BINARY_DIR", os.path.join(ROOT, "build")), "bin", "libu")
    tok = os.path.join(SHARED, "data", "tokenizers", "tiny-random-gpt2_vocab1000.tokenizer.json")
    subprocess.run([exe, "init", "--arch", "olmo", "--preset", "tiny", "--tokenizer", tok, "--out",
                    str(tmp_path / "model"), "--quiet"], check=True)
    subprocess.run([exe, "data", "synth", "--people", "4", "--out", str(tmp_path / "data"), "--quiet"], check=True)
    run = libu.unlearn(model=str(tmp_path / "model"), forget=str(tmp_path / "data" / "forget.jsonl"),
                       retain=str(tmp_path / "data" / "retain.jsonl"), out=str(tmp_path / "out"), dtype="fp32",
                       batch_size=2, epochs=1, max_steps=2, no_merge=True, threads=1, quiet=True)
    assert run["steps_done"] == 2 and run["method"] == "libu"
    m = libu.Model.load(str(tmp_path / "model"), dtype="fp32", adapter=str(tmp_path / "out" / "adapter"))
    text = m.generate(["Hello"], max_new_tokens=4, batch_size=1)
    assert isinstance(text, list) and len(text) == 1
    assert m.config["model_type"] == "olmo"
    metrics = libu.eval_run(model=str(tmp_path / "model"), adapter=str(tmp_path / "out" / "adapter"),
                            forget=str(tmp_path / "data" / "forget.jsonl"), retain=str(tmp_path / "data" / "retain.jsonl"),
                            out=str(tmp_path / "eval"), max_new_tokens=4, dtype="fp32", threads=1, quiet=True)
    assert "harmonic-mean-task-aggregate" in metrics
    again = libu.eval_score(str(tmp_path / "eval"))
    assert again["harmonic-mean-task-aggregate"] == metrics["harmonic-mean-task-aggregate"]
    with pytest.raises(libu.Error) as e:
        libu.unlearn(model=str(tmp_path / "model"), forget=str(tmp_path / "nope.jsonl"), out=str(tmp_path / "o2"))
    assert "nope.jsonl" in str(e.value)
