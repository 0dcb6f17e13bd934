/**
 * What the preview shows for one model output, computed with the same core code as the trainer,
 * the CLI and the language server: parse (reasoning, calls, errors with offsets), the schema check
 * of each call, and the reward under every variant. Pure: no DOM, no Monaco.
 */
import { parse as parseJsonc, printParseErrorCode, type ParseError } from "jsonc-parser";
import { parseToolCalls } from "../../src/core/toolcall";
import { scoreCompletion } from "../../src/core/reward";
import { readToolList } from "../../src/core/schema";
import { checkCall, indexTools, type CallProblem, type ToolIndex } from "../../src/core/callcheck";
import { REWARD_VARIANTS, type Json, type RewardResult, type RewardVariant } from "../../src/core/types";

export type Parsed = ReturnType<typeof parseToolCalls>;

export interface ToolsState {
  index: ToolIndex | null;
  names: string[];
  /** Problems reading the tool list (invalid JSON, not a tool list...). */
  problems: string[];
}

export interface CallView {
  name: string;
  arguments: unknown;
  start: number;
  end: number;
  problems: CallProblem[];
}

export interface GroundTruthState {
  value: Json | null;
  /** Why the ground truth could not be read (then rewards show bad_ground_truth). */
  error: string | null;
  errorOffset: number;
}

export interface Analysis {
  parsed: Parsed;
  calls: CallView[];
  rewards: { variant: RewardVariant; result: RewardResult }[];
}

/** Reads a tool list from JSON (comments and trailing commas allowed, as in .tools.json files). */
export function readTools(text: string | null): ToolsState {
  if (text === null) return { index: null, names: [], problems: [] };
  const errors: ParseError[] = [];
  const doc = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false }) as Json;
  if (errors.length) {
    const e = errors[0];
    return { index: null, names: [], problems: [`The tool schema file is not valid JSON: ${printParseErrorCode(e.error)} at offset ${e.offset}.`] };
  }
  const { tools, problems } = readToolList(doc);
  return {
    index: indexTools(tools),
    names: tools.map((t) => t.name),
    problems: problems.filter((p) => p.severity === "error").map((p) => `${p.path.length ? p.path.join(".") + ": " : ""}${p.message}`),
  };
}

/** Reads the editable ground truth: a JSON list of calls (a single call object is accepted). */
export function readGroundTruth(text: string): GroundTruthState {
  if (text.trim() === "") return { value: [], error: null, errorOffset: 0 };
  const errors: ParseError[] = [];
  const value = parseJsonc(text, errors, { allowTrailingComma: false, disallowComments: true }) as Json;
  if (errors.length) {
    return { value: null, error: `Ground truth is not valid JSON: ${printParseErrorCode(errors[0].error)}`, errorOffset: errors[0].offset };
  }
  return { value, error: null, errorOffset: 0 };
}

export function analyze(completion: string, groundTruth: GroundTruthState, tools: ToolsState): Analysis {
  const parsed = parseToolCalls(completion);
  const calls: CallView[] = parsed.calls.map((c) => ({
    name: c.name,
    arguments: c.arguments,
    start: c.start,
    end: c.end,
    problems: tools.index ? checkCall({ name: c.name, arguments: c.arguments } as Json, tools.index) : [],
  }));
  const gt = groundTruth.error ? "<not JSON>" : groundTruth.value;
  const rewards = REWARD_VARIANTS.map((variant) => ({
    variant,
    result: scoreCompletion(completion, gt as never, variant),
  }));
  return { parsed, calls, rewards };
}
