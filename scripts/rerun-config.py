#!/usr/bin/env python3
"""Write a --config JSON that reruns a libu run with some options changed.

Usage: scripts/rerun-config.py CMD RUN_DIR OUT [key=value ...]
  CMD      the subcommand that wrote RUN_DIR: "unlearn" or "eval run"
  RUN_DIR  a folder with run.json (unlearn: its "options"; eval run: the options themselves)
  OUT      the new run's --out; the config is written to OUT.config.json and its path printed
  key=value  overrides (value parsed as JSON when it parses, else a string); key=DEL drops a key

Options equal to their --help default are left out (so that flags which only apply to other
settings are not "given"), and so are --preset and --config: every value the preset set is in
run.json already. Then: build/bin/libu CMD --config OUT.config.json
Used for the SAM and int4 measurements of docs/unlearning.md and docs/robustness.md.
"""
import json
import os
import re
import subprocess
import sys


def defaults(cmd):
    libu = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "bin", "libu")
    text = subprocess.run([libu] + cmd.split() + ["--help"], capture_output=True, text=True, check=True).stdout
    out = {}
    for line in text.splitlines():
        m = re.match(r"\s+--([a-z0-9-]+)\b.*\(default: (.*)\)\s*$", line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def is_default(d, key, v):
    if key not in d:
        return False
    if isinstance(v, bool):
        return d[key] == ("true" if v else "false")
    if isinstance(v, list):
        v = ",".join(str(x) for x in v)
    try:
        return float(d[key]) == float(v)
    except (TypeError, ValueError):
        return str(v) == d[key]


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    cmd, run_dir, out = argv[0], argv[1], argv[2]
    with open(os.path.join(run_dir, "run.json")) as f:
        run = json.load(f)
    opts = run.get("options", run)
    d = defaults(cmd)
    cfg = {k: v for k, v in opts.items()
           if v is not None and k not in ("preset", "config", "resume") and not is_default(d, k, v)}
    cfg["out"] = out
    for kv in argv[3:]:
        k, v = kv.split("=", 1)
        if v == "DEL":
            cfg.pop(k, None)
            continue
        try:
            cfg[k] = json.loads(v)
        except ValueError:
            cfg[k] = v
    path = out + ".config.json"
    with open(path, "w") as f:
        json.dump(cfg, f, indent=1)
    print(path)


if __name__ == "__main__":
    main(sys.argv[1:])
