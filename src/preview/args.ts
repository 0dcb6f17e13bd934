/**
 * Arguments of `tooln1.openPreview`, as other features (the rollout inspector, the dataset
 * CodeLens) and users send them, normalised into the panel's Prefill. No vscode import.
 */
import type { Prefill, ToolSource } from "../../common/preview/protocol";

export interface OpenPreviewArgs {
  completion?: string;
  /** Ground-truth calls: a list, or JSON text of one. */
  groundTruth?: unknown;
  /** Inline tools (a sample's or a rollout's tool list). */
  tools?: unknown[];
  /** A workspace tool schema file to check against and keep in sync with (URI string). */
  toolsUri?: string;
  /** The user query for Try a model. */
  query?: string;
  /** A whole dataset sample: tools, the last user message as the query, answer as ground truth. */
  sample?: { tools?: unknown[]; messages?: { role: string; content: string }[]; answer?: unknown };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function gtText(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "string") {
    try {
      return JSON.stringify(JSON.parse(v), null, 2);
    } catch {
      return v; // shown as is; the panel says it is not valid JSON
    }
  }
  return JSON.stringify(v, null, 2);
}

export function inlineTools(tools: unknown[], label = "tools of the sample"): ToolSource {
  return { uri: "", label, text: JSON.stringify(tools, null, 2) };
}

/** Reads whatever a caller passed; unknown shapes are ignored rather than failing. */
export function toPrefill(raw: unknown): { prefill: Prefill; toolsUri?: string } {
  const prefill: Prefill = {};
  if (!isRecord(raw)) return { prefill };
  const a = raw as OpenPreviewArgs;
  if (isRecord(a.sample)) {
    const s = a.sample;
    if (Array.isArray(s.tools)) prefill.tools = inlineTools(s.tools);
    const users = Array.isArray(s.messages) ? s.messages.filter((m) => isRecord(m) && m.role === "user" && typeof m.content === "string") : [];
    if (users.length) prefill.query = users[users.length - 1].content;
    if (s.answer !== undefined) prefill.groundTruth = gtText(s.answer);
  }
  if (typeof a.completion === "string") prefill.completion = a.completion;
  if (a.groundTruth !== undefined) prefill.groundTruth = gtText(a.groundTruth);
  if (Array.isArray(a.tools)) prefill.tools = inlineTools(a.tools, "tools given with the output");
  if (typeof a.query === "string") prefill.query = a.query;
  const toolsUri = typeof a.toolsUri === "string" && a.toolsUri ? a.toolsUri : undefined;
  return { prefill, toolsUri };
}

/**
 * Prefill from one line of a JSONL file the user has open: a Tool-N1 rollout record
 * (`completion`, `ground_truth`), a verl rollout (`output`, `gts`), or a dataset sample.
 */
export function prefillFromLine(line: string): Prefill | null {
  let rec: unknown;
  try {
    rec = JSON.parse(line);
  } catch {
    return null;
  }
  if (!isRecord(rec)) return null;
  if (typeof rec.completion === "string") {
    return toPrefill({ completion: rec.completion, groundTruth: rec.ground_truth, tools: Array.isArray(rec.tools) ? rec.tools : undefined }).prefill;
  }
  if (typeof rec.output === "string") return toPrefill({ completion: rec.output, groundTruth: rec.gts }).prefill;
  if (Array.isArray(rec.messages) || rec.answer !== undefined) return toPrefill({ sample: rec as OpenPreviewArgs["sample"] }).prefill;
  return null;
}
