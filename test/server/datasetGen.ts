/**
 * Seeded generator of realistic tool-calling datasets (OpenAI-form tools, system/user messages,
 * ground-truth calls), with a chosen fraction of bad lines. Used by the server tests and benchmarks.
 */
import { createWriteStream } from "node:fs";
import { seededRandom } from "../../src/core/random";

export const rng = seededRandom;

const VERBS = ["get", "search", "create", "update", "delete", "list", "convert", "book", "send", "calculate", "find", "schedule"];
const NOUNS = ["weather", "flight", "hotel", "invoice", "user", "order", "currency", "reminder", "email", "route", "stock_price", "recipe", "movie", "event", "ticket"];
const WORDS = "the a of to and in for with on by from city date amount user number name time price list result value query type limit page country code language format unit status".split(" ");

interface Param {
  name: string;
  schema: { [k: string]: unknown };
  gen: (r: () => number) => unknown;
}
export interface GenTool {
  name: string;
  openai: unknown;
  params: Param[];
  required: string[];
}

function words(r: () => number, n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(WORDS[Math.floor(r() * WORDS.length)]);
  const s = out.join(" ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function makeTools(r: () => number, count = 60): GenTool[] {
  const tools: GenTool[] = [];
  const seen = new Set<string>();
  while (tools.length < count) {
    const name = `${VERBS[Math.floor(r() * VERBS.length)]}_${NOUNS[Math.floor(r() * NOUNS.length)]}${tools.length >= VERBS.length * 4 ? "_" + tools.length : ""}`;
    if (seen.has(name)) continue;
    seen.add(name);
    const n = 2 + Math.floor(r() * 4);
    const params: Param[] = [];
    for (let i = 0; i < n; i++) {
      const kind = Math.floor(r() * 6);
      const pname = `${WORDS[8 + Math.floor(r() * (WORDS.length - 8))]}_${i}`;
      const description = words(r, 3 + Math.floor(r() * 5)) + ".";
      if (kind === 0) params.push({ name: pname, schema: { type: "string", description }, gen: (q) => words(q, 2) });
      else if (kind === 1) params.push({ name: pname, schema: { type: "integer", description, minimum: 0 }, gen: (q) => Math.floor(q() * 100) });
      else if (kind === 2) params.push({ name: pname, schema: { type: "number", description }, gen: (q) => Math.round(q() * 1e4) / 100 });
      else if (kind === 3) params.push({ name: pname, schema: { type: "boolean", description }, gen: (q) => q() < 0.5 });
      else if (kind === 4) {
        const vals = ["low", "medium", "high", "auto"];
        params.push({ name: pname, schema: { type: "string", enum: vals, description }, gen: (q) => vals[Math.floor(q() * vals.length)] });
      } else params.push({ name: pname, schema: { type: "array", items: { type: "string" }, description }, gen: (q) => [words(q, 1), words(q, 1)] });
    }
    const required = params.filter((_, i) => i === 0 || r() < 0.4).map((p) => p.name);
    const properties: { [k: string]: unknown } = {};
    for (const p of params) properties[p.name] = p.schema;
    tools.push({
      name,
      params,
      required,
      openai: { type: "function", function: { name, description: words(r, 5 + Math.floor(r() * 7)) + ".", parameters: { type: "object", properties, required } } },
    });
  }
  return tools;
}

export type BadKind = "syntax" | "unknown_tool" | "missing_required" | "wrong_type" | "enum_violation" | "unexpected_argument";
const BAD_KINDS: BadKind[] = ["syntax", "unknown_tool", "missing_required", "wrong_type", "enum_violation", "unexpected_argument"];

/** One dataset line (no newline). `bad` picks a kind of mistake to plant. */
export function makeLine(r: () => number, tools: GenTool[], i: number, bad?: BadKind): string {
  const k = 3 + Math.floor(r() * 2);
  const picked: GenTool[] = [];
  while (picked.length < k) {
    const t = tools[Math.floor(r() * tools.length)];
    if (!picked.includes(t)) picked.push(t);
  }
  const ncalls = r() < 0.8 ? 1 : 2;
  const answer: { name: string; arguments: { [k: string]: unknown } }[] = [];
  for (let c = 0; c < ncalls; c++) {
    const t = picked[Math.floor(r() * picked.length)];
    const args: { [k: string]: unknown } = {};
    for (const p of t.params) if (t.required.includes(p.name) || r() < 0.5) args[p.name] = p.gen(r);
    answer.push({ name: t.name, arguments: args });
  }
  if (bad === "unknown_tool") answer[0].name = "no_such_tool";
  else if (bad === "missing_required") {
    const t = picked.find((x) => x.name === answer[0].name)!;
    delete answer[0].arguments[t.required[0]];
  } else if (bad === "wrong_type") {
    const t = picked.find((x) => x.name === answer[0].name)!;
    const p = t.params[0];
    answer[0].arguments[p.name] = p.schema.type === "string" ? 12345 : "not a number";
  } else if (bad === "enum_violation") {
    const t = picked.find((x) => x.params.some((p) => p.schema.enum)) ?? picked[0];
    const p = t.params.find((x) => x.schema.enum);
    answer[0] = { name: t.name, arguments: {} };
    for (const q of t.params) if (t.required.includes(q.name)) answer[0].arguments[q.name] = q.gen(r);
    if (p) answer[0].arguments[p.name] = "extreme";
    else answer[0].arguments["surprise"] = 1;
  } else if (bad === "unexpected_argument") answer[0].arguments["surprise_arg"] = true;
  const sample = {
    id: `sample-${i}`,
    tools: picked.map((t) => t.openai),
    messages: [
      { role: "system", content: "You are a helpful assistant that can call tools." },
      { role: "user", content: words(r, 12 + Math.floor(r() * 10)) + "?" },
    ],
    answer,
  };
  let s = JSON.stringify(sample);
  if (bad === "syntax") s = s.slice(0, Math.floor(s.length * (0.3 + r() * 0.6)));
  return s;
}

/** Writes `lines` lines to `path`; returns bytes written and the line numbers of planted mistakes. */
export async function writeDataset(path: string, lines: number, opts: { seed?: number; badFraction?: number } = {}): Promise<{ bytes: number; bad: number[] }> {
  const r = rng(opts.seed ?? 42);
  const tools = makeTools(r);
  const badFraction = opts.badFraction ?? 0.01;
  const out = createWriteStream(path);
  let bytes = 0;
  const bad: number[] = [];
  let buf: string[] = [];
  for (let i = 0; i < lines; i++) {
    const isBad = r() < badFraction;
    const kind = isBad ? BAD_KINDS[Math.floor(r() * BAD_KINDS.length)] : undefined;
    if (isBad) bad.push(i);
    const line = makeLine(r, tools, i, kind) + "\n";
    bytes += Buffer.byteLength(line);
    buf.push(line);
    if (buf.length >= 500) {
      if (!out.write(buf.join(""))) await new Promise<void>((res) => out.once("drain", () => res()));
      buf = [];
    }
  }
  out.write(buf.join(""));
  await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
  return { bytes, bad };
}

/** The same lines in memory (for in-process tests). */
export function datasetText(lines: number, opts: { seed?: number; badFraction?: number } = {}): string {
  const r = rng(opts.seed ?? 42);
  const tools = makeTools(r);
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const isBad = r() < (opts.badFraction ?? 0.01);
    out.push(makeLine(r, tools, i, isBad ? BAD_KINDS[Math.floor(r() * BAD_KINDS.length)] : undefined));
  }
  return out.join("\n") + "\n";
}
