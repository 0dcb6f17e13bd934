/**
 * Synthetic rollouts for tests and benchmarks: a weather/currency/timer task, G completions per
 * prompt, a mix of right answers and the usual failures, each scored by the real scorer.
 */
import type { RolloutRecord, ToolCall } from "../../src/core/types";
import { scoreCompletion } from "../../src/core/reward";
import { seededRandom } from "../../src/core/random";

/** Small deterministic PRNG (mulberry32). */
export const rng = seededRandom;

const CITIES = ["Paris", "Berlin", "Tokyo", "Lima", "Oslo", "Cairo", "Quito", "Perth"];
const FILLER = "The user asks for something a tool can do; check the arguments the schema requires and their types. ";

function task(p: number): { prompt: string; gt: ToolCall[] } {
  const city = CITIES[p % CITIES.length];
  const kind = p % 3;
  const gt: ToolCall[] =
    kind === 0
      ? [{ name: "get_weather", arguments: { city, unit: p % 2 ? "celsius" : "fahrenheit" } }]
      : kind === 1
        ? [{ name: "convert_currency", arguments: { amount: (p % 97) + 1, from: "EUR", to: "USD" } }]
        : [{ name: "set_timer", arguments: { minutes: (p % 50) + 1 } }];
  const prompt = `<|im_start|>system\nYou are a helpful assistant with tools.<|im_end|>\n<|im_start|>user\nRequest ${p}: ${JSON.stringify(gt[0].arguments)}<|im_end|>\n<|im_start|>assistant\n`;
  return { prompt, gt };
}

/** One completion for a ground truth, right or wrong in one of the common ways. */
export function completionFor(gt: ToolCall[], r: () => number, reasoningChars = 300): string {
  const think = `<think>${FILLER.repeat(Math.max(1, Math.round(reasoningChars / FILLER.length)))}</think>\n`;
  const x = r();
  const calls = JSON.parse(JSON.stringify(gt)) as ToolCall[];
  if (x < 0.45) return `${think}<tool_call>\n${JSON.stringify(calls)}\n</tool_call>`;
  if (x < 0.6) {
    const k = Object.keys(calls[0].arguments)[0];
    const v = calls[0].arguments[k];
    calls[0].arguments[k] = typeof v === "string" ? v.toLowerCase() + (v === v.toLowerCase() ? "x" : "") : typeof v === "number" ? v + 1 : v;
    return `${think}<tool_call>\n${JSON.stringify(calls)}\n</tool_call>`;
  }
  if (x < 0.7) return `<tool_call>\n${JSON.stringify(calls)}\n</tool_call>`;
  if (x < 0.78) return `${think}<tool_call>\n[{"name": "${calls[0].name}", "arguments": {</tool_call>`;
  if (x < 0.85) return `${think}I cannot call a tool for this.`;
  if (x < 0.92) {
    calls[0].name = "search_web";
    return `${think}<tool_call>\n${JSON.stringify(calls)}\n</tool_call>`;
  }
  calls[0].arguments.extra = true;
  return `${think}<tool_call>\n${JSON.stringify(calls)}\n</tool_call>`;
}

export interface SyntheticOptions {
  seed?: number;
  groupSize?: number;
  reasoningChars?: number;
  /** Give every completion of some groups the same text (zero-variance groups). */
  zeroVarianceEvery?: number;
}

/** The rollouts of one step: `prompts` prompts x groupSize completions, as RolloutRecords. */
export function syntheticStep(step: number, firstPrompt: number, prompts: number, o: SyntheticOptions = {}): RolloutRecord[] {
  const G = o.groupSize ?? 5;
  const r = rng((o.seed ?? 1) * 1000003 + step);
  const out: RolloutRecord[] = [];
  for (let p = firstPrompt; p < firstPrompt + prompts; p++) {
    const { prompt, gt } = task(p);
    const same = o.zeroVarianceEvery && p % o.zeroVarianceEvery === 0 ? completionFor(gt, r, o.reasoningChars) : null;
    const group: RolloutRecord[] = [];
    for (let g = 0; g < G; g++) {
      const completion = same ?? completionFor(gt, r, o.reasoningChars);
      const s = scoreCompletion(completion, gt, "binary");
      const details: RolloutRecord["details"] = { format_ok: s.format_ok, calls_ok: s.calls_ok, reason: s.reason };
      if (s.mismatch !== undefined) details.mismatch = s.mismatch;
      group.push({
        v: 1,
        step,
        prompt_id: `p${String(p).padStart(6, "0")}`,
        group_index: g,
        prompt,
        completion,
        ground_truth: gt,
        reward: s.reward,
        details,
        advantage: 0,
        tokens: { prompt: Math.round(prompt.length / 4), completion: Math.round(completion.length / 4) },
        reward_variant: "binary",
      });
    }
    const mean = group.reduce((a, b) => a + b.reward, 0) / G;
    const std = Math.sqrt(group.reduce((a, b) => a + (b.reward - mean) ** 2, 0) / Math.max(1, G - 1));
    for (const x of group) x.advantage = Math.round(((x.reward - mean) / (std + 1e-4)) * 1e4) / 1e4;
    out.push(...group);
  }
  return out;
}
