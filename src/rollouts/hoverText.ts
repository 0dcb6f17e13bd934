/**
 * Hover markdown for a rollout line: reasoning, then the model's calls beside the ground truth as a
 * diff. Every piece of model or dataset text goes inside a code fence (or code span) longer than any
 * backtick run in it, so nothing in it can become markdown, HTML or a link. Pure: tested directly.
 */
import type { Json, RewardVariant, RolloutRecord } from "../core/types";
import { explainRollout } from "./explain";

const MAX_TEXT = 2000;

function longestRun(s: string, ch: string): number {
  let best = 0,
    cur = 0;
  for (const c of s) {
    cur = c === ch ? cur + 1 : 0;
    if (cur > best) best = cur;
  }
  return best;
}

/** A fenced code block that the text cannot close. */
export function fence(text: string, lang = "text"): string {
  const ticks = "`".repeat(Math.max(3, longestRun(text, "`") + 1));
  return `${ticks}${lang}\n${text}\n${ticks}`;
}

/** An inline code span that the text cannot close; newlines become spaces. */
export function codeSpan(text: string): string {
  const t = text.replace(/[\r\n]+/g, " ");
  const ticks = "`".repeat(longestRun(t, "`") + 1);
  return `${ticks} ${t} ${ticks}`;
}

const cut = (s: string, n = MAX_TEXT): string => (s.length > n ? s.slice(0, n) + `\n… (${s.length - n} more characters)` : s);
const j = (v: Json | undefined): string => (v === undefined ? "" : JSON.stringify(v));

export function rolloutHoverMarkdown(rec: RolloutRecord, variant: RewardVariant): string {
  const ex = explainRollout(rec, variant);
  const out: string[] = [];
  const adv = typeof rec.advantage === "number" ? `, advantage ${Math.round(rec.advantage * 1000) / 1000}` : "";
  out.push(`**Rollout** step ${rec.step}, completion ${rec.group_index}: reward **${rec.reward}**${adv}, reason ${codeSpan(rec.details.reason)}`);
  out.push(`Prompt ${codeSpan(rec.prompt_id)}`);
  if (rec.details.mismatch) out.push("First difference:\n\n" + fence(rec.details.mismatch));
  if (!ex.agrees) out.push(`Tool-N1's scorer (${ex.variant}) gives ${ex.rescored.reward}, ${codeSpan(ex.rescored.reason)}.`);
  out.push("**Reasoning**\n\n" + (ex.reasoning === null ? "none found" : fence(cut(ex.reasoning.trim()))));
  // the calls beside the ground truth: "-" the model, "+" the ground truth
  const lines: string[] = [];
  for (const p of ex.pairs) {
    const head = p.actual && p.expected ? (p.nameMatch ? p.actual.name : `${p.actual.name}  (ground truth: ${p.expected.name})`) : p.actual ? `${p.actual.name}  (extra call)` : `${p.expected!.name}  (missing call)`;
    lines.push(`@@ ${head}`);
    for (const a of p.args) {
      if (a.status === "same") lines.push(`  ${a.key}: ${j(a.actual)}`);
      else {
        if (a.status !== "missing") lines.push(`- ${a.key}: ${j(a.actual)}`);
        if (a.status !== "extra") lines.push(`+ ${a.key}: ${j(a.expected)}`);
      }
    }
  }
  out.push("**Calls** (`-` model, `+` ground truth)\n\n" + (lines.length ? fence(cut(lines.join("\n")), "diff") : "no calls, none expected"));
  if (ex.errors.length) out.push("**Parser**\n\n" + fence(cut(ex.errors.map((e) => `${e.code} at ${e.start}: ${e.message}`).join("\n"))));
  return out.join("\n\n");
}
