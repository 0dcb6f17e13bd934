/**
 * INTERIM: stands in for src/core/sample.ts (validateSample, wouldPaperDrop) until that module lands,
 * so the tree keeps building. Deleted once core.ts imports the real one.
 */
import type { Json, Sample } from "../../src/core/types";

type P = { code: string; severity: "error" | "warning" | "information" | "hint"; message: string; path: (string | number)[] };
const ROLES = ["system", "user", "assistant", "tool"];

export function validateSample(v: Json): { sample?: Sample; problems: P[] } {
  const problems: P[] = [];
  const o = v as { [k: string]: Json };
  if (!Array.isArray(o.messages)) problems.push({ code: "bad_messages", severity: "error", message: '"messages" must be an array of {"role", "content"}', path: ["messages"] });
  else {
    o.messages.forEach((m, i) => {
      const role = (m as { role?: Json } | null)?.role;
      if (typeof role !== "string" || !ROLES.includes(role)) problems.push({ code: "bad_role", severity: "error", message: `role must be one of ${ROLES.join(", ")}`, path: ["messages", i, "role"] });
    });
    if (!o.messages.some((m) => (m as { role?: Json } | null)?.role === "user")) problems.push({ code: "no_user_turn", severity: "error", message: "the sample has no user turn", path: ["messages"] });
  }
  if (!Array.isArray(o.answer)) problems.push({ code: "bad_answer", severity: "error", message: '"answer" must be an array of calls', path: ["answer"] });
  return problems.length ? { problems } : { sample: v as unknown as Sample, problems };
}

export function wouldPaperDrop(s: Sample): string | null {
  const names = new Set(s.tools.map((t) => (t as { function?: { name?: string }; name?: string })?.function?.name ?? (t as { name?: string })?.name));
  for (const c of s.answer) if (!names.has(c?.name)) return `a ground-truth call names "${c?.name}", which is not among the sample's tools`;
  return null;
}
