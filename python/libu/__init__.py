"""libu — make a Hugging Face causal language model forget, from Python.

The C++ core (``libu._libu``) with torch tensors in and out; see docs/python.md.

    import libu
    run = libu.unlearn(model="M", forget="forget.jsonl", retain="retain.jsonl",
                       holdout="nonmember.jsonl", out="runs/x")
    m = libu.Model.load("M", adapter="runs/x/adapter")
    logits = m.forward(torch.tensor([[1, 2, 3]]))
"""
try:  # first: registers the tensor types the extension exchanges
    import torch  # noqa: F401
except ImportError:  # e.g. a pyenv python3.11: the module is built against Debian's python3-torch
    import sys as _sys

    _debian = "/usr/lib/python3/dist-packages"
    if _debian in _sys.path:
        raise
    _sys.path.append(_debian)
    import torch  # noqa: F401


class Error(ValueError):
    """A libu error: bad input, with the fix in ``hint``."""

    def __init__(self, message, hint=""):
        super().__init__(message if not hint else f"{message} (hint: {hint})")
        self.message = message
        self.hint = hint


from ._libu import (  # noqa: E402
    Model,
    Tokenizer,
    __version__,
    eval_run,
    eval_score,
    read_table,
    unlearn,
)

__all__ = ["Error", "Model", "Tokenizer", "__version__", "eval_run", "eval_score", "read_table", "unlearn"]
