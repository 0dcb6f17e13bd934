import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** `tooln1-export.json`, written by `python -m tooln1 export-onnx` next to `model.onnx`. */
export interface ExportInfo {
  num_layers: number;
  num_kv_heads: number;
  head_dim: number;
  vocab_size: number;
  eos_token_ids: number[];
  bos_token_id: number | null;
  chat_template: string | null;
  opset?: number;
}

/** Everything needed to run an exported checkpoint, read and checked up front. */
export interface Checkpoint {
  dir: string;
  modelPath: string;
  info: ExportInfo;
  tokenizerJson: object;
  tokenizerConfig: Record<string, unknown>;
}

/** A problem with the user's checkpoint folder: the message says what to do. */
export class CheckpointError extends Error {
  override readonly name = "CheckpointError";
}

const EXPORT_HINT = "Export a checkpoint with `python -m tooln1 export-onnx --checkpoint DIR --out DIR` and choose its output folder.";

function readJson(dir: string, file: string, required: boolean): unknown {
  const p = join(dir, file);
  if (!existsSync(p)) {
    if (!required) return undefined;
    throw new CheckpointError(`${file} is missing in ${dir}. ${EXPORT_HINT}`);
  }
  try {
    return JSON.parse(readFileSync(p, "utf8"));
  } catch (e) {
    throw new CheckpointError(`${file} in ${dir} is not valid JSON (${(e as Error).message}). Re-export the checkpoint.`);
  }
}

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;

/** Reads and validates an export folder. Throws CheckpointError naming the missing or bad part. */
export function readCheckpoint(dir: string): Checkpoint {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new CheckpointError(`${dir} is not a folder. ${EXPORT_HINT}`);
  }
  const modelPath = join(dir, "model.onnx");
  if (!existsSync(modelPath)) throw new CheckpointError(`model.onnx is missing in ${dir}. ${EXPORT_HINT}`);
  const raw = readJson(dir, "tooln1-export.json", true) as Record<string, unknown> | null;
  if (!raw || typeof raw !== "object") throw new CheckpointError(`tooln1-export.json in ${dir} is not an object. Re-export the checkpoint.`);
  for (const k of ["num_layers", "num_kv_heads", "head_dim", "vocab_size"]) {
    if (!isInt(raw[k]) || raw[k] === 0) {
      throw new CheckpointError(`tooln1-export.json in ${dir}: "${k}" must be a positive integer. Re-export the checkpoint.`);
    }
  }
  const eos = raw.eos_token_ids;
  const eosIds = Array.isArray(eos) ? eos.filter(isInt) : isInt(eos) ? [eos] : [];
  const tokenizerJson = readJson(dir, "tokenizer.json", true) as object;
  const tokenizerConfig = (readJson(dir, "tokenizer_config.json", false) ?? {}) as Record<string, unknown>;
  const jinjaFile = join(dir, "chat_template.jinja");
  const template =
    typeof raw.chat_template === "string"
      ? raw.chat_template
      : typeof tokenizerConfig.chat_template === "string"
        ? tokenizerConfig.chat_template
        : existsSync(jinjaFile)
          ? readFileSync(jinjaFile, "utf8")
          : null;
  const info: ExportInfo = {
    num_layers: raw.num_layers as number,
    num_kv_heads: raw.num_kv_heads as number,
    head_dim: raw.head_dim as number,
    vocab_size: raw.vocab_size as number,
    eos_token_ids: eosIds,
    bos_token_id: isInt(raw.bos_token_id) ? raw.bos_token_id : null,
    chat_template: template,
    opset: isInt(raw.opset) ? raw.opset : undefined,
  };
  return { dir, modelPath, info, tokenizerJson, tokenizerConfig };
}
