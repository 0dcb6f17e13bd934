"""``python -m tooln1 eval bfcl``: BFCL accuracy from BFCL's own AST checker.

Two ways in:

- ``--outputs FILE``: one JSON line per BFCL id, ``{"id", "completion"}``; each completion is read by
  our tool-call parser (``tooln1.toolcall``) and the calls are handed to BFCL's checker.
- ``--checkpoint DIR``: BFCL's questions rendered with the Tool-N1 template, greedy completions from
  the checkpoint, written as the outputs file and a results file of rollout records, then checked.

BFCL's code (``bfcl-eval``, pinned) runs unmodified in its own virtual environment (``make venv-bfcl``):
its dependencies (``numpy==1.26.4``, many API clients) do not fit the trainer's. ``tooln1/bfcl_runner.py``
is the only code that runs there; this module talks to it through a JSON file and stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable

# the categories are the runner's (it imports bfcl_eval only inside its operations)
from .bfcl_runner import AST_CATEGORIES, CATEGORIES, RELEVANCE_CATEGORIES  # noqa: F401
from .toolcall import parse_tool_calls

BFCL_VERSION = "2026.3.23"
ENV_PYTHON = "TOOLN1_BFCL_PYTHON"
VENV_NAME = ".venv-bfcl"
#: Per-sample results (rollout records; the ".rollouts.jsonl" ending lets the editor features find them).
RESULTS_NAME = "results.rollouts.jsonl"

#: BFCL error types (prefix before ":" or the whole) -> our reason codes, for rollout records.
_REASON_OF_ERROR = {
    "wrong_func_name": "wrong_name",
    "missing_required": "missing_argument",
    "missing_optional": "missing_argument",
    "unexpected_param": "extra_argument",
    "wrong_count": "wrong_call_count",
    "decoder_success": "wrong_call_count",  # irrelevance: a call where none was wanted
    "decoder_failed": "no_tool_call",
    "decoder_wrong_output_format": "bad_call_shape",
}


class BfclError(RuntimeError):
    """Something the user must fix (no BFCL environment, bad input); the message says what."""


# ---------------------------------------------------------------- the BFCL environment


def _repo_roots() -> list[str]:
    here = os.path.dirname(os.path.abspath(__file__))
    roots = [os.getcwd(), os.path.normpath(os.path.join(here, "..", "..", ".."))]
    out = []
    for r in roots:
        while True:
            out.append(r)
            parent = os.path.dirname(r)
            if parent == r:
                break
            r = parent
    return out


def find_python(explicit: str | None = None) -> str:
    """The BFCL environment's interpreter: --bfcl-python, $TOOLN1_BFCL_PYTHON, or .venv-bfcl above."""
    cand = explicit or os.environ.get(ENV_PYTHON)
    if cand:
        if not os.path.isfile(cand):
            raise BfclError(f"BFCL python not found: {cand}")
        return cand
    seen = set()
    for root in _repo_roots():
        if root in seen:
            continue
        seen.add(root)
        p = os.path.join(root, VENV_NAME, "bin", "python")
        if os.path.isfile(p):
            return p
    raise BfclError(
        f"no BFCL environment: run `make venv-bfcl` in the repository (creates {VENV_NAME} with "
        f"bfcl-eval=={BFCL_VERSION}), or point ${ENV_PYTHON} at a python that has bfcl-eval installed"
    )


class BfclRunner:
    """tooln1/bfcl_runner.py serving requests in the BFCL environment (BFCL's imports take seconds:
    a training run keeps one process for all its evaluations)."""

    def __init__(self, python: str | None = None) -> None:
        py = find_python(python)
        runner = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bfcl_runner.py")
        # -I: no user site, no PYTHON* variables, no script folder on sys.path (tooln1's modules
        # would shadow top-level names there).
        code = "import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        self._err = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.proc = subprocess.Popen([py, "-I", "-c", code, runner, "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._err, text=True, encoding="utf-8", env=env)

    def call(self, op: str, request: dict) -> dict:
        p = self.proc
        if p.poll() is not None:
            raise BfclError(f"BFCL checker is not running (exit {p.returncode}):\n{self._stderr_tail()}")
        try:
            p.stdin.write(json.dumps({"op": op, "request": request}, ensure_ascii=False) + "\n")
            p.stdin.flush()
        except BrokenPipeError:
            pass
        line = p.stdout.readline()
        if not line:
            p.wait()
            raise BfclError(f"BFCL checker failed (exit {p.returncode}):\n{self._stderr_tail()}")
        answer = json.loads(line)
        if not answer.get("ok"):
            raise BfclError(f"BFCL checker: {answer.get('error')}")
        return answer["result"]

    def _stderr_tail(self) -> str:
        self._err.seek(0)
        return "\n".join(self._err.read().strip().splitlines()[-15:])

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._err.close()

    def __enter__(self) -> "BfclRunner":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def run_bfcl(op: str, request: dict, python: str | None = None, runner: BfclRunner | None = None) -> dict:
    """One operation of tooln1/bfcl_runner.py (``questions`` or ``check``) in the BFCL environment."""
    if runner is not None:
        return runner.call(op, request)
    with BfclRunner(python) as r:
        return r.call(op, request)


# ---------------------------------------------------------------- completions to BFCL's decoded form


def decode(completion: str) -> dict:
    """Our parser's reading of a completion as BFCL's checker wants it.

    ``{"calls": [{name: args}], "decode_error": None}``, or ``{"calls": None, "decode_error": reason}``
    when a ``<tool_call>`` block cannot be read. No block at all is an empty list (no call).
    """
    p = parse_tool_calls(completion)
    if p["errors"]:
        e = p["errors"][0]
        return {"calls": None, "decode_error": f"{e['code']}: {e['message']}", "code": e["code"]}
    return {"calls": [{c["name"]: c["arguments"]} for c in p["calls"]], "decode_error": None}


def reason_code(verdict: dict, decoded: dict) -> str:
    """Our reason code for a BFCL verdict (rollout records carry one of ours; BFCL's type goes in mismatch)."""
    if verdict["valid"]:
        return "ok"
    if decoded.get("decode_error") is not None and decoded.get("code"):
        return decoded["code"]
    if decoded.get("calls") == []:
        return "no_tool_call"
    kind = (verdict.get("error_type") or "").split(":", 1)[-1]
    if kind in _REASON_OF_ERROR:
        return _REASON_OF_ERROR[kind]
    return "wrong_argument_value"


def parse_categories(text: str | None) -> list[str]:
    if not text or text == "all":
        return list(CATEGORIES)
    names = [c.strip() for c in text.split(",") if c.strip()]
    bad = [c for c in names if c not in CATEGORIES]
    if bad:
        raise BfclError(f"unknown BFCL categor{'ies' if len(bad) > 1 else 'y'} {', '.join(bad)}; known: {', '.join(CATEGORIES)}")
    return list(dict.fromkeys(names))


def category_of(test_id: str) -> str | None:
    """BFCL's id convention: ``<category>_<n>`` (live ids ``<category>_<n>-<m>-<k>``)."""
    head = test_id.rsplit("_", 1)[0] if "_" in test_id else test_id
    return head if head in CATEGORIES else None


def _jsonl_values(path: str, problems: list[str]):
    """(line number, value) of each non-blank line of a JSONL file; a line that is not JSON is added
    to ``problems`` (line N: ...); a file that cannot be read is a BfclError."""
    try:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as e:
                    problems.append(f"line {n}: not JSON ({e.msg})")
                    continue
                yield n, value
    except OSError as e:
        raise BfclError(f"cannot read {path}: {e.strerror or e}") from None


def read_outputs(path: str) -> tuple[list[dict], list[str]]:
    """Records ``{"id", "completion"}`` of an outputs file; problems as sentences (line N: ...)."""
    records, problems, seen = [], [], set()
    for n, rec in _jsonl_values(path, problems):
        if not isinstance(rec, dict) or not isinstance(rec.get("id"), str) or not isinstance(rec.get("completion"), str):
            problems.append(f'line {n}: expected {{"id": str, "completion": str}}')
            continue
        if rec["id"] in seen:
            problems.append(f"line {n}: id {rec['id']!r} appears twice")
            continue
        seen.add(rec["id"])
        records.append(rec)
    return records, problems


def read_jsonl_objects(path: str) -> tuple[list[dict], list[str]]:
    """JSON objects of a JSONL file; problems as sentences (line N: ...)."""
    out, problems = [], []
    for n, obj in _jsonl_values(path, problems):
        if isinstance(obj, dict) and isinstance(obj.get("id"), str) and isinstance(obj.get("category"), str):
            out.append(obj)
        else:
            problems.append(f'line {n}: expected a question {{"id", "category", "question", "function", ...}}')
    return out, problems


def check(records: list[dict], categories: list[str] | None = None, python: str | None = None,
          runner: BfclRunner | None = None) -> dict:
    """BFCL's verdict on each record and the aggregated accuracies.

    ``{"categories": {name: {accuracy, correct, total}}, "overall", "summary", "results": [...]}``; each
    result carries ``id, category, valid, error_type, error, decoded``.
    """
    wanted = set(categories or CATEGORIES)
    items, decoded_by_id, skipped = [], {}, []
    for rec in records:
        cat = category_of(rec["id"])
        if cat is None:
            skipped.append(rec["id"])
            continue
        if cat not in wanted:
            continue
        d = decode(rec["completion"])
        decoded_by_id[rec["id"]] = d
        items.append({"id": rec["id"], "calls": d["calls"], "decode_error": d["decode_error"]})
    if skipped:
        shown = ", ".join(repr(s) for s in skipped[:5])
        raise BfclError(f"{len(skipped)} id(s) are not in a supported BFCL category ({', '.join(CATEGORIES)}): {shown}")
    if not items:
        raise BfclError("no outputs in the selected categories")
    ans = run_bfcl("check", {"items": items}, python, runner)
    for r in ans["results"]:
        d = decoded_by_id[r["id"]]
        r["decoded"] = d["calls"]
        r["reason"] = reason_code(r, d)
    cats = {
        name: {"accuracy": s["accuracy"], "correct": s["correct"], "total": s["total_count"]}
        for name, s in sorted(ans["scores"].items(), key=lambda kv: CATEGORIES.index(kv[0]))
    }
    return {"categories": cats, "overall": ans["overall"], "summary": ans["summary"], "results": ans["results"],
            "bfcl_version": ans["version"]}


# ---------------------------------------------------------------- rendering questions


def first_answer(ground_truth: list | None) -> list[dict]:
    """BFCL's possible answers as one ground-truth call list (the first allowed value of each argument)."""
    from .importers import first_values

    out = []
    for call in ground_truth or []:
        (name, args), = call.items()
        out.append({"name": name, "arguments": first_values(args)})
    return out


def question_sample(q: dict) -> dict:
    """A BFCL question as a Tool-N1 sample (tools and messages as `convert --from bfcl` writes them)."""
    from .importers import bfcl_messages

    return {"id": q["id"], "tools": q["function"], "messages": bfcl_messages(q["question"]),
            "answer": first_answer(q.get("ground_truth"))}


def rollout_record(prompt: str, sample: dict, completion: str, verdict: dict, tokens: dict | None = None) -> dict:
    """A rollout record (docs/protocol.md section 8): reward 1/0 from BFCL, its error type as the mismatch."""
    d = decode(completion)
    details: dict[str, Any] = {"format_ok": d["decode_error"] is None, "calls_ok": bool(verdict["valid"]),
                               "reason": verdict.get("reason") or reason_code(verdict, d)}
    if not verdict["valid"]:
        msg = "; ".join(str(e) for e in (verdict.get("error") or []))
        details["mismatch"] = f"{verdict.get('error_type')}: {msg}"[:2000]
    rec = {"v": 1, "step": 0, "prompt_id": sample["id"], "group_index": 0, "prompt": prompt,
           "completion": completion, "ground_truth": sample["answer"], "reward": 1.0 if verdict["valid"] else 0.0,
           "details": details}
    if tokens:
        rec["tokens"] = tokens
    return rec


# ---------------------------------------------------------------- generation


def load_model(checkpoint: str):
    """(model, tokenizer) from a checkpoint or exported model folder; CUDA when present."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    device = "cuda" if torch.cuda.is_available() else "cpu"
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    if os.path.isfile(os.path.join(checkpoint, "adapter_config.json")):  # LoRA: merge into the base model
        from peft import AutoPeftModelForCausalLM

        model = AutoPeftModelForCausalLM.from_pretrained(checkpoint, dtype=dtype, local_files_only=True).merge_and_unload()
    elif os.path.isfile(os.path.join(checkpoint, "config.json")):
        model = AutoModelForCausalLM.from_pretrained(checkpoint, dtype=dtype, local_files_only=True)
    else:
        raise BfclError(f"{checkpoint} has neither config.json nor adapter_config.json: not a model folder")
    tok = AutoTokenizer.from_pretrained(checkpoint, local_files_only=True)
    return model.to(device).eval(), tok


def generate(model, tok, prompts: list[str], *, batch_size: int, max_new_tokens: int,
             progress: Callable[[int, int], None] | None = None) -> tuple[list[str], list[dict]]:
    """Greedy completions, longest prompts first (less padding); (texts, token counts) in input order."""
    import torch

    was_training = model.training
    model.eval()
    old_side, old_pad = tok.padding_side, tok.pad_token
    if tok.pad_token_id is None:
        tok.pad_token = tok.eos_token
    tok.padding_side = "left"
    order = sorted(range(len(prompts)), key=lambda i: -len(prompts[i]))
    texts: list[str] = [""] * len(prompts)
    counts: list[dict] = [{}] * len(prompts)
    done = 0
    try:
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            enc = tok([prompts[i] for i in idx], return_tensors="pt", padding=True, add_special_tokens=False)
            enc = {k: v.to(model.device) for k, v in enc.items()}
            with torch.no_grad():
                out = model.generate(**enc, do_sample=False, max_new_tokens=max_new_tokens, pad_token_id=tok.pad_token_id)
            new = out[:, enc["input_ids"].shape[1]:]
            decoded = tok.batch_decode(new, skip_special_tokens=True)
            for j, i in enumerate(idx):
                texts[i] = decoded[j]
                counts[i] = {"prompt": int(enc["attention_mask"][j].sum()), "completion": int((new[j] != tok.pad_token_id).sum())}
            done += len(idx)
            if progress:
                progress(done, len(prompts))
    finally:
        tok.padding_side = old_side
        if old_pad is None:
            tok.pad_token = None
        if was_training:
            model.train()
    return texts, counts


def is_onnx_export(folder: str) -> bool:
    """A folder written by `tooln1 export-onnx` (model.onnx + tooln1-export.json, no PyTorch weights)."""
    return os.path.isfile(os.path.join(folder, "model.onnx")) and os.path.isfile(os.path.join(folder, "tooln1-export.json"))


def generate_onnx(folder: str, prompts: list[str], *, max_new_tokens: int,
                  progress: Callable[[int, int], None] | None = None) -> tuple[list[str], list[dict]]:
    """Greedy completions of an ONNX export with onnxruntime (CPU, one prompt at a time, KV cache)."""
    from transformers import AutoTokenizer

    from .export_onnx import _session, ort_greedy

    with open(os.path.join(folder, "tooln1-export.json"), encoding="utf-8") as f:
        meta = json.load(f)
    tok = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    sess = _session(os.path.join(folder, "model.onnx"))
    eos = set(meta.get("eos_token_ids") or ([tok.eos_token_id] if tok.eos_token_id is not None else []))
    texts, counts = [], []
    for i, p in enumerate(prompts):
        ids = tok(p, add_special_tokens=False)["input_ids"]
        out = ort_greedy(sess, meta, ids, max_new_tokens, eos)
        texts.append(tok.decode(out, skip_special_tokens=True))
        counts.append({"prompt": len(ids), "completion": len(out)})
        if progress:
            progress(i + 1, len(prompts))
    return texts, counts


def render(sample: dict) -> str:
    """The prompt as training renders it (tooln1.data.render_prompt: the paper's template, ChatML)."""
    from .template import build_messages, render_chatml

    return render_chatml(build_messages(sample))


def _progress_line(label: str) -> Callable[[int, int], None]:
    t0 = time.perf_counter()

    def report(done: int, total: int) -> None:
        el = time.perf_counter() - t0
        rate = done / el if el > 0 else 0.0
        print(f"progress {label} {done}/{total} ({rate:.2f}/s)", file=sys.stderr, flush=True)

    return report


def evaluate_checkpoint(checkpoint: str, categories: list[str], *, limit: int | None, batch_size: int,
                        max_new_tokens: int, out_dir: str, python: str | None = None,
                        progress: Callable[[int, int], None] | None = None,
                        questions: list[dict] | None = None, generate_only: bool = False) -> dict | None:
    """Questions -> prompts -> greedy completions -> outputs.jsonl, results, scores.json in out_dir.

    ``questions`` (from ``--dump-questions``) and ``generate_only`` let a machine without the BFCL
    environment (a GPU box) generate; ``--outputs`` then checks elsewhere. Returns None when only generating.
    """
    if not os.path.isdir(checkpoint):
        raise BfclError(f"checkpoint folder not found: {checkpoint}")
    with contextlib.ExitStack() as stack:
        runner = None if generate_only and questions is not None else stack.enter_context(BfclRunner(python))
        if questions is None:
            questions = run_bfcl("questions", {"categories": categories, "limit": limit}, runner=runner)["questions"]
        else:
            questions = [q for q in questions if q.get("category") in categories]
            if limit is not None:
                seen: dict[str, int] = {}
                kept = []
                for q in questions:
                    seen[q["category"]] = seen.get(q["category"], 0) + 1
                    if seen[q["category"]] <= limit:
                        kept.append(q)
                questions = kept
        if not questions:
            raise BfclError("no questions in the selected categories")
        samples = [question_sample(q) for q in questions]
        prompts = [render(s) for s in samples]
        if is_onnx_export(checkpoint):
            texts, counts = generate_onnx(checkpoint, prompts, max_new_tokens=max_new_tokens, progress=progress)
        else:
            model, tok = load_model(checkpoint)
            texts, counts = generate(model, tok, prompts, batch_size=batch_size, max_new_tokens=max_new_tokens,
                                     progress=progress)
        outputs = [{"id": s["id"], "completion": t} for s, t in zip(samples, texts)]
        # The outputs are kept even if checking fails: `--outputs` checks them again.
        os.makedirs(out_dir, exist_ok=True)
        with open(os.path.join(out_dir, "outputs.jsonl"), "w", encoding="utf-8") as f:
            for o in outputs:
                f.write(json.dumps(o, ensure_ascii=False) + "\n")
        if generate_only:
            return None
        print(f"checking {len(outputs)} outputs with BFCL's checker", file=sys.stderr, flush=True)
        result = check(outputs, categories, runner=runner)
    verdicts = {r["id"]: r for r in result["results"]}
    write_results(os.path.join(out_dir, RESULTS_NAME), samples, prompts, texts, verdicts, counts)
    summary = {k: result[k] for k in ("categories", "overall", "summary", "bfcl_version")}
    summary.update({"checkpoint": os.path.abspath(checkpoint), "limit": limit, "max_new_tokens": max_new_tokens})
    with open(os.path.join(out_dir, "scores.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)
        f.write("\n")
    result["out_dir"] = out_dir
    return result


def write_results(path: str, samples: list[dict], prompts: list[str], texts: list[str], verdicts: dict,
                  counts: list[dict] | None = None) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for i, (s, p, t) in enumerate(zip(samples, prompts, texts)):
            rec = rollout_record(p, s, t, verdicts[s["id"]], counts[i] if counts else None)
            f.write(json.dumps(rec, ensure_ascii=False, allow_nan=False) + "\n")


# ---------------------------------------------------------------- during training


class TrainingEval:
    """``eval.bfcl`` of a training config: BFCL accuracy of the model being trained, as eval metrics."""

    def __init__(self, cfg: dict, *, batch_size: int, max_new_tokens: int, python: str | None = None) -> None:
        self.categories = list(cfg["categories"])
        self.limit = cfg.get("limit")
        self.every_steps = int(cfg.get("every_steps") or 0)
        self.batch_size = batch_size
        self.max_new_tokens = max_new_tokens
        self.python = python
        self._samples: list[dict] | None = None
        self._prompts: list[str] = []
        self._runner: BfclRunner | None = None

    def due(self, step: int, *, first: bool = False, last: bool = False) -> bool:
        return first or last or (self.every_steps > 0 and step % self.every_steps == 0)

    def run(self, model, tokenizer, results_path: str | None = None) -> dict[str, float | None]:
        if self._runner is None:
            self._runner = BfclRunner(self.python)
        if self._samples is None:
            qs = run_bfcl("questions", {"categories": self.categories, "limit": self.limit}, runner=self._runner)["questions"]
            self._samples = [question_sample(q) for q in qs]
            self._prompts = [render(s) for s in self._samples]
        texts, counts = generate(model, tokenizer, self._prompts, batch_size=self.batch_size, max_new_tokens=self.max_new_tokens)
        res = check([{"id": s["id"], "completion": t} for s, t in zip(self._samples, texts)], self.categories,
                    runner=self._runner)
        if results_path:
            os.makedirs(os.path.dirname(results_path), exist_ok=True)
            write_results(results_path, self._samples, self._prompts, texts, {r["id"]: r for r in res["results"]}, counts)
        return metrics_of(res)


    def close(self) -> None:
        if self._runner is not None:
            self._runner.close()
            self._runner = None


def metrics_of(result: dict) -> dict[str, float | None]:
    """Eval-event metrics: ``eval/bfcl/<category>`` accuracies, the group summaries and ``eval/bfcl/overall``."""
    out: dict[str, float | None] = {f"eval/bfcl/{c}": v["accuracy"] for c, v in result["categories"].items()}
    for k in ("non_live", "live", "irrelevance"):
        v = result["summary"].get(k)
        if v is not None:
            out[f"eval/bfcl/{k}"] = v
    out["eval/bfcl/overall"] = result["overall"]
    out["eval/bfcl/samples"] = float(sum(v["total"] for v in result["categories"].values()))
    return out


# ---------------------------------------------------------------- CLI


def format_table(result: dict) -> str:
    lines = [f"{'category':<24} {'accuracy':>9} {'correct':>8} {'total':>6}"]
    for name, c in result["categories"].items():
        lines.append(f"{name:<24} {100 * c['accuracy']:>8.2f}% {c['correct']:>8} {c['total']:>6}")
    lines.append("")
    labels = {"non_live": "non-live (BFCL)", "live": "live (BFCL)", "irrelevance": "irrelevance (BFCL)",
              "relevance": "relevance"}
    for key, label in labels.items():
        v = result["summary"].get(key)
        lines.append(f"{label:<24} {'N/A' if v is None else f'{100 * v:.2f}%':>9}")
    lines.append(f"{'overall':<24} {100 * result['overall']:>8.2f}%")
    lines.append("(overall: BFCL v4's single-turn weights non-live 10, live 10, irrelevance 10; a category not run counts as 0)")
    return "\n".join(lines)


def _json_out(result: dict) -> str:
    keep = {k: result[k] for k in ("categories", "overall", "summary") if k in result}
    return json.dumps(keep, indent=1)


USAGE = "usage: python -m tooln1 eval bfcl (--outputs FILE | --checkpoint DIR) [options]"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tooln1 eval bfcl", description="BFCL accuracy with BFCL's own AST checker.")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--outputs", help='JSONL of {"id": BFCL id, "completion": model output}')
    src.add_argument("--dump-questions", metavar="FILE", help="write the questions of --categories (--limit) as JSONL, "
                     "for --questions on a machine without the BFCL environment")
    src.add_argument("--checkpoint", help="a model folder to generate with: a checkpoint (transformers, LoRA merged) "
                     "or an ONNX export (tooln1 export-onnx; onnxruntime)")
    p.add_argument("--categories", default="all", help=f"comma-separated, or all: {','.join(CATEGORIES)}")
    p.add_argument("--limit", type=int, default=None, help="--checkpoint: at most N questions per category")
    p.add_argument("--batch-size", type=int, default=8, help="--checkpoint: prompts per generate() call")
    p.add_argument("--max-new-tokens", type=int, default=512, help="--checkpoint: completion length cap")
    p.add_argument("--out", default=None, help=f"--checkpoint: folder for outputs.jsonl, {RESULTS_NAME}, scores.json "
                   "(default: CHECKPOINT/bfcl-eval)")
    p.add_argument("--questions", default=None, help="--checkpoint: questions from --dump-questions instead of BFCL's package")
    p.add_argument("--generate-only", action="store_true", help="--checkpoint: write outputs.jsonl only (check it later with --outputs)")
    p.add_argument("--results", default=None, help="--outputs: also write per-sample rollout records here")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    p.add_argument("--bfcl-python", default=None, help=f"the BFCL environment's python (default: ${ENV_PYTHON} or {VENV_NAME})")
    return p


def main(argv: list[str]) -> int:
    argv = list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(f"{USAGE}\n\nbenchmarks: bfcl (see python -m tooln1 eval bfcl --help)")
        return 0 if argv else 2
    if argv[0] != "bfcl":
        print(f"tooln1 eval: unknown benchmark {argv[0]!r} (known: bfcl)", file=sys.stderr)
        return 2
    args = build_parser().parse_args(argv[1:])
    try:
        cats = parse_categories(args.categories)
        if args.limit is not None and args.limit < 1:
            raise BfclError("--limit must be >= 1")
        if args.batch_size < 1:
            raise BfclError("--batch-size must be >= 1")
        if args.outputs:
            records, problems = read_outputs(args.outputs)
            for pr in problems:
                print(f"tooln1 eval: {args.outputs}: {pr}", file=sys.stderr)
            with BfclRunner(args.bfcl_python) as runner:
                result = check(records, cats, runner=runner)
                qs = run_bfcl("questions", {"categories": list(result["categories"]), "limit": None}, runner=runner) \
                    if args.results else None
            if args.results:
                by_id = {q["id"]: q for q in qs["questions"]}
                recs = [r for r in records if r["id"] in by_id and category_of(r["id"]) in result["categories"]]
                samples = [question_sample(by_id[r["id"]]) for r in recs]
                prompts = [render(s) for s in samples]
                verdicts = {r["id"]: r for r in result["results"]}
                write_results(args.results, samples, prompts, [r["completion"] for r in recs], verdicts)
            bad = bool(problems)
        elif args.dump_questions:
            qs = run_bfcl("questions", {"categories": cats, "limit": args.limit}, args.bfcl_python)["questions"]
            with open(args.dump_questions, "w", encoding="utf-8") as f:
                for q in qs:
                    f.write(json.dumps(q, ensure_ascii=False) + "\n")
            print(f"tooln1 eval: wrote {len(qs)} questions to {args.dump_questions}", file=sys.stderr)
            return 0
        else:
            questions = None
            if args.questions:
                questions, problems = read_jsonl_objects(args.questions)
                if problems:
                    raise BfclError(f"{args.questions}: {problems[0]}")
            out_dir = args.out or os.path.join(args.checkpoint, "bfcl-eval")
            result = evaluate_checkpoint(args.checkpoint, cats, limit=args.limit, batch_size=args.batch_size,
                                         max_new_tokens=args.max_new_tokens, out_dir=out_dir,
                                         python=args.bfcl_python, progress=_progress_line("generate"),
                                         questions=questions, generate_only=args.generate_only)
            if result is None:
                print(f"tooln1 eval: wrote outputs.jsonl in {out_dir}; check it with --outputs", file=sys.stderr)
                return 0
            print(f"tooln1 eval: wrote outputs.jsonl, {RESULTS_NAME}, scores.json in {out_dir}", file=sys.stderr)
            bad = False
    except BfclError as e:
        print(f"tooln1 eval: {e}", file=sys.stderr)
        return 1
    print(_json_out(result) if args.json else format_table(result))
    return 2 if bad else 0
