"""`python -m tooln1 COMMAND ...`: one entry point, each command in the module that owns it.

Commands are imported lazily so `score` and `convert` never import torch.
"""

from __future__ import annotations

import importlib
import os
import sys

CLOSED_PIPE_EXIT = 141  # 128 + SIGPIPE

COMMANDS: dict[str, tuple[str, str]] = {
    "score": ("tooln1.score", "Score completions against ground-truth calls (JSONL in, JSONL out)."),
    "convert": ("tooln1.importers", "Convert a dataset from another format to Tool-N1 samples."),
    "train": ("tooln1.train", "Train with GRPO / SFT / SFT-then-GRPO from a config file."),
    "preflight": ("tooln1.preflight", "Check a config, data, template and reward before training."),
    "make-tiny-model": ("tooln1.tiny", "Build a tiny randomly initialised Qwen2 model and tokenizer."),
    "export-onnx": ("tooln1.export_onnx", "Export a checkpoint to ONNX with a KV cache for onnxruntime."),
    "export-verl": ("tooln1.export_verl", "Write verl's data, reward module and launch scripts for a config."),
    "synth-data": ("tooln1.synthetic", "Generate a synthetic tool-calling dataset."),
    "eval": ("tooln1.bfcl", "Evaluate outputs or a checkpoint on BFCL with BFCL's own AST checker."),
}


def usage() -> str:
    lines = ["usage: python -m tooln1 COMMAND [ARGS]", "", "commands:"]
    lines += [f"  {name:<16} {help_}" for name, (_, help_) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(usage())
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"tooln1: unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[name][0])
    try:
        code = int(module.main(rest) or 0)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # the reader of stdout went away (`... | head -1`): stop quietly, as a Unix tool killed by
        # SIGPIPE; point stdout at /dev/null so the interpreter's last flush does not complain
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return CLOSED_PIPE_EXIT
    except OSError as e:
        # a path that cannot be read or written (a file where a folder is needed, no permission)
        where = f" {e.filename}" if e.filename else ""
        print(f"tooln1 {name}: cannot use{where}: {e.strerror or e}", file=sys.stderr)
        return 2

if __name__ == "__main__":
    sys.exit(main())
