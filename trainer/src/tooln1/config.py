"""Training config: load JSON or YAML, validate against schemas/train-config.schema.json, fill defaults.

The JSON Schema is the single source of keys, types, allowed values, defaults and help texts; VS Code
validates config files against the same file. Errors name the bad key and what is allowed.
"""

from __future__ import annotations

import copy
import json
import math
import os
from importlib import resources
from typing import Any

SCHEMA_NAME = "train-config.schema.json"


class ConfigError(ValueError):
    """A config that cannot be used; the message says which key and what to do."""


def load_schema() -> dict[str, Any]:
    with resources.files("tooln1").joinpath("schemas", SCHEMA_NAME).open("r", encoding="utf-8") as f:
        return json.load(f)


def _path(parts: Any) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"


def _subschema(schema: dict[str, Any], parts: Any) -> dict[str, Any]:
    node = schema
    for p in parts:
        if isinstance(p, int):
            node = node.get("items", {})
        else:
            node = node.get("properties", {}).get(p, {})
    return node


def _describe(error: Any, schema: dict[str, Any]) -> str:
    where = _path(error.absolute_path)
    v = error.validator
    if v == "additionalProperties":
        node = _subschema(schema, error.absolute_path)
        allowed = sorted(k for k in node.get("properties", {}) if not k.startswith("$"))
        extra = sorted(set(error.instance) - set(node.get("properties", {})))
        keys = ", ".join(f"{(where + '.') if error.absolute_path else ''}{k}" for k in extra)
        return f"unknown key {keys}; allowed keys here: {', '.join(allowed)}"
    if v == "enum":
        allowed = ", ".join(json.dumps(x) for x in error.validator_value)
        return f"{where}: {json.dumps(error.instance)} is not allowed; allowed values: {allowed}"
    if v == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        prefix = f"{where}." if error.absolute_path else ""
        help_ = _subschema(schema, list(error.absolute_path) + [missing]).get("description", "")
        return f"missing required key {prefix}{missing}" + (f" ({help_})" if help_ else "")
    if v == "type":
        want = error.validator_value
        want = " or ".join(want) if isinstance(want, list) else want
        return f"{where}: expected {want}, got {json.dumps(error.instance)}"
    if v in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength"):
        bound = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<", "minLength": "length >="}[v]
        return f"{where}: {json.dumps(error.instance)} must be {bound} {error.validator_value}"
    return f"{where}: {error.message}"


def validate(config: Any) -> list[str]:
    """Every problem of a config as a sentence naming the key; empty when valid."""
    import jsonschema

    schema = load_schema()
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: (list(map(str, e.absolute_path)), e.validator))
    problems = [_describe(e, schema) for e in errors] + _non_finite(config, [])
    if not problems and isinstance(config, dict):
        problems += _cross_checks(apply_defaults(config))
    return problems


def _non_finite(value: Any, at: list[Any]) -> list[str]:
    """NaN and infinities (YAML `.nan`, `.inf`; JSON `NaN`) pass the schema's number checks: refuse them."""
    if isinstance(value, float) and not math.isfinite(value):
        return [f"{_path(at)}: must be a finite number, got {value}"]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _non_finite(v, at + [k])]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _non_finite(v, at + [i])]
    return []


def _cross_checks(cfg: dict[str, Any]) -> list[str]:
    out = []
    g = cfg["grpo"]
    if cfg["method"] in ("grpo", "sft-then-grpo") and g["per_device_batch_size"] % g["num_generations"]:
        out.append(
            f"grpo.per_device_batch_size ({g['per_device_batch_size']}) must be a multiple of grpo.num_generations "
            f"({g['num_generations']}): each micro-batch holds whole groups"
        )
    f = g["difficulty_filter"]
    if f["min_pass_rate"] > f["max_pass_rate"]:
        out.append(f"grpo.difficulty_filter.min_pass_rate ({f['min_pass_rate']}) must not exceed "
                   f"grpo.difficulty_filter.max_pass_rate ({f['max_pass_rate']})")
    return out


def apply_defaults(config: dict[str, Any], schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """A copy of `config` with every schema default filled in (nested objects included)."""
    schema = schema or load_schema()
    out = copy.deepcopy(config)
    for key, sub in schema.get("properties", {}).items():
        if key.startswith("$"):
            continue
        if key not in out and "default" in sub:
            out[key] = copy.deepcopy(sub["default"])
        if sub.get("type") == "object" and isinstance(out.get(key), dict):
            out[key] = apply_defaults(out[key], sub)
    return out


def read_file(path: str) -> Any:
    if not os.path.isfile(path):
        raise ConfigError(f"config file not found: {path}")
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror or e}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise ConfigError(f"{path}:{line}: not valid UTF-8 (byte 0x{data[e.start]:02x}); save the file as UTF-8") from None
    try:
        if path.endswith((".yaml", ".yml")):
            import yaml

            try:
                return yaml.safe_load(text)
            except yaml.YAMLError as e:
                raise ConfigError(f"{path}: not valid YAML: {e}") from None
        try:
            return json.loads(text)
        except json.JSONDecodeError as e:
            raise ConfigError(f"{path}: not valid JSON (line {e.lineno}, column {e.colno}): {e.msg}") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply to read") from None


def resolve_paths(cfg: dict[str, Any], base_dir: str) -> dict[str, Any]:
    """Make the model and data paths absolute, relative to the config file's folder."""

    def fix(p: str | None) -> str | None:
        if p is None:
            return None
        p = os.path.expanduser(p)
        return p if os.path.isabs(p) else os.path.normpath(os.path.join(base_dir, p))

    cfg = copy.deepcopy(cfg)
    cfg["model"] = fix(cfg["model"])
    cfg["data"]["train"] = fix(cfg["data"]["train"])
    cfg["data"]["validation"] = fix(cfg["data"].get("validation"))
    cfg["data"]["sft_train"] = fix(cfg["data"].get("sft_train"))
    if cfg.get("output_dir"):
        cfg["output_dir"] = fix(cfg["output_dir"])
    return cfg


def load(path: str) -> dict[str, Any]:
    """Read, validate and complete a config file; raises ConfigError listing every problem."""
    raw = read_file(path)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the config must be an object of settings, got {type(raw).__name__}")
    problems = validate(raw)
    if problems:
        raise ConfigError(f"{path}: invalid config:\n" + "\n".join(f"  - {p}" for p in problems))
    cfg = apply_defaults(raw)
    cfg.pop("$schema", None)
    return resolve_paths(cfg, os.path.dirname(os.path.abspath(path)))


def from_dict(raw: dict[str, Any], base_dir: str = ".") -> dict[str, Any]:
    problems = validate(raw)
    if problems:
        raise ConfigError("invalid config:\n" + "\n".join(f"  - {p}" for p in problems))
    cfg = apply_defaults(raw)
    cfg.pop("$schema", None)
    return resolve_paths(cfg, base_dir)
