"""Training data: read samples (canonical JSONL or via the importers), split, render prompts and SFT targets."""

from __future__ import annotations

import json
import os
import random
from typing import Any, Iterator

from tooln1 import synthetic


class DataError(ValueError):
    """Data that cannot be trained on; the message names the file and line."""


def jsonl_lines(path: str) -> Iterator[tuple[int, str]]:
    """(line number, text) of each non-blank line, read as `tooln1 check` reads it: lines end at LF
    (a CR before it is dropped; a lone CR is part of the line), a UTF-8 BOM is skipped, and bytes
    that are not UTF-8 raise DataError naming the file and line."""
    try:
        f = open(path, "rb")
    except OSError as e:
        raise DataError(f"{path}: cannot read: {e.strerror or e}") from None
    with f:
        for n, raw in enumerate(f, 1):
            if raw.endswith(b"\n"):
                raw = raw[:-1]
            if n == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if raw.endswith(b"\r"):
                raw = raw[:-1]
            if not raw.strip():
                continue
            try:
                yield n, raw.decode("utf-8")
            except UnicodeDecodeError as e:
                raise DataError(f"{path}:{n}: not valid UTF-8 (byte {e.start + 1} of the line); save the file as UTF-8") from None


def parse_json_line(path: str, n: int, line: str) -> Any:
    """One JSONL line's value; DataError (file and line) for bad JSON or nesting too deep to read."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as e:
        hint = "; the line holds a carriage return (CR): lines must end with LF or CRLF" if "\r" in line else ""
        raise DataError(f"{path}:{n}: not valid JSON: {e.msg} (column {e.colno}){hint}") from None
    except RecursionError:
        raise DataError(f"{path}:{n}: nested too deeply to read") from None


def read_jsonl(path: str) -> list[dict[str, Any]]:
    if not os.path.isfile(path):
        raise DataError(f"data file not found: {path}")
    out = []
    for n, line in jsonl_lines(path):
        obj = parse_json_line(path, n, line)
        if not isinstance(obj, dict):
            raise DataError(f"{path}:{n}: each line must be a JSON object (a sample)")
        obj.setdefault("id", f"{os.path.basename(path)}:{n}")
        out.append(obj)
    return out


def _import(path: str, fmt: str) -> list[dict[str, Any]]:
    from tooln1 import importers

    try:
        return importers.convert_file(path, fmt)
    except UnicodeDecodeError as e:
        with open(path, "rb") as f:
            line = f.read(e.start).count(b"\n") + 1
        raise DataError(f"{path}:{line}: not valid UTF-8 (byte 0x{e.object[e.start]:02x}); save the file as UTF-8") from None
    except RecursionError:
        raise DataError(f"{path}: nested too deeply to read") from None
    except ValueError as e:  # an unknown format names the known ones
        raise DataError(f"data.format: {e}") from None


def check_sample(sample: dict[str, Any]) -> list[str]:
    """Problems of one sample (empty when fine), from tooln1.sample.validate_sample."""
    from tooln1 import sample as sample_mod

    try:
        result = sample_mod.validate_sample(sample)
    except (ValueError, TypeError, KeyError) as e:
        return [str(e)]
    if not result:
        return []
    if isinstance(result, str):
        return [result]
    if isinstance(result, dict):  # {"ok", "sample", "problems": [{"code", "severity", "message", "path"}]}
        if result.get("ok", True):
            return []
        result = result.get("problems") or [{"message": "invalid sample"}]
    out = []
    for item in result:
        msg = item.get("message", str(item)) if isinstance(item, dict) else str(item)
        if isinstance(item, dict) and item.get("path"):
            msg = f"{'.'.join(map(str, item['path']))}: {msg}"
        severity = item.get("severity", "error") if isinstance(item, dict) else "error"
        if severity == "error":
            out.append(msg)
    return out


def load_samples(path: str, fmt: str = "canonical") -> list[dict[str, Any]]:
    if fmt == "canonical":
        return read_jsonl(path)
    if not os.path.isfile(path):
        raise DataError(f"data file not found: {path}")
    return _import(path, fmt)


def split(samples: list[dict[str, Any]], fraction: float, seed: int, shuffle: bool = True):
    samples = list(samples)
    if shuffle:
        random.Random(seed).shuffle(samples)
    if fraction <= 0 or len(samples) < 2:
        return samples, []
    n_val = max(1, int(round(len(samples) * fraction)))
    return samples[n_val:], samples[:n_val]


def render_prompt(sample: dict[str, Any]) -> str:
    """The paper's thinking-template prompt, rendered as ChatML with the assistant turn opened."""
    from tooln1 import template

    return template.render_chatml(template.build_messages(sample), add_generation_prompt=True)


def sft_completion(sample: dict[str, Any], reasoning: str = "The user needs {names}.") -> str:
    names = ", ".join(c.get("name", "?") for c in sample.get("answer") or []) or "no tool"
    return synthetic.perfect_completion(sample["answer"], reasoning.replace("{names}", names))


def sample_id(sample: dict[str, Any], index: int) -> str:
    return str(sample.get("id", f"sample-{index}"))
