/**
 * Importers: other tool-calling dataset formats to canonical Tool-N1 samples. Mirror of
 * trainer/src/tooln1/importers.py — the same samples, drop reasons and output bytes (see that
 * module's docstring for the formats; shared fixtures in test/vectors/importers).
 *
 * Records are read with ./pyjson so numbers keep Python's form (`1.0` stays `1.0`, big integers keep
 * every digit) and the output is what Python's json.dumps writes. One known gap: object keys that
 * look like array indexes ("1", "20") are ordered first by JavaScript objects.
 */
import { PyNum, parsePyJson, type PyJson } from "./pyjson";
import { paperDropReason } from "./sample";
import { DEFAULT_SYSTEM, pyJsonDumps } from "./template";
import type { Sample } from "./types";

export const FORMATS = ["tooln1-raw", "xlam", "sharegpt", "bfcl", "openai", "canonical"] as const;
export type ImportFormat = (typeof FORMATS)[number];

/** Stable drop codes and what they mean (same table in Python). */
export const DROP_REASONS: { [code: string]: string } = {
  bad_json: "a field holding JSON text could not be parsed",
  bad_record: "the record is not in the expected shape",
  bad_call: "a tool call could not be read",
  no_tool_call: "the conversation has no assistant tool-call step",
  no_ground_truth: "no possible answer for this question",
  bfcl_multi_turn: "multi-turn BFCL questions are not supported",
  no_tools: "the candidate tool list is empty",
  unreadable_tool: "a tool has no usable name",
  unknown_tool_in_answer: "the ground truth calls a tool absent from the candidate list",
};

class Drop extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

/** Parsed values: plain objects and arrays, strings, booleans, null, and PyNum for every number. */
type V = unknown;
type Obj = { [k: string]: V };
const isObj = (x: V): x is Obj => typeof x === "object" && x !== null && !Array.isArray(x) && !(x instanceof PyNum);
const isStr = (x: V): x is string => typeof x === "string";

/** Map-based pyjson values to plain objects (numbers stay PyNum). */
function plain(v: PyJson): V {
  if (v instanceof Map) {
    const o: Obj = {};
    for (const [k, x] of v) {
      if (k === "__proto__") Object.defineProperty(o, k, { value: plain(x), enumerable: true, writable: true, configurable: true });
      else o[k] = plain(x);
    }
    return o;
  }
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

/** Strict JSON as Python's json.loads reads it (no NaN / Infinity); throws on bad input. */
export function loads(text: string): V {
  return plain(parsePyJson(text, { constants: false }));
}

/** One canonical JSONL line (no newline): keys id?, tools, messages, answer; UTF-8, compact. */
export function dumpSample(sample: { id?: string | null; tools: V; messages: V; answer: V }): string {
  const out: Obj = {};
  if (sample.id !== undefined && sample.id !== null) out.id = sample.id;
  out.tools = sample.tools;
  out.messages = sample.messages;
  out.answer = sample.answer;
  return dumpCompact(out);
}

/** json.dumps(v, ensure_ascii=False, separators=(",", ":")). */
export function dumpCompact(v: V): string {
  if (Array.isArray(v)) return "[" + v.map(dumpCompact).join(",") + "]";
  if (isObj(v)) return "{" + Object.keys(v).map((k) => pyJsonDumps(k, false) + ":" + dumpCompact(v[k])).join(",") + "}";
  if (v instanceof PyNum && !Number.isFinite(v.value)) throw new Drop("bad_json");
  return pyJsonDumps(v, false);
}

// ---------------------------------------------------------------- reading input

const isBlank = (line: string): boolean => /^[ \t\r\n]*$/.test(line);

export interface ParsedInput {
  records: [number, V][];
  bad: [number, string][];
}

/** Records (with their 1-based line number; 0 for a whole-file document) and unreadable lines. */
export function parseInput(text: string): ParsedInput {
  if (text.startsWith("\ufeff")) text = text.slice(1);
  if (text.replace(/^[ \t\r\n]+/, "").startsWith("[")) {
    let doc: V;
    try {
      doc = loads(text);
    } catch {
      doc = null;
    }
    if (Array.isArray(doc)) return { records: doc.map((r) => [0, r] as [number, V]), bad: [] };
  }
  const records: [number, V][] = [];
  const bad: [number, string][] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (isBlank(lines[i])) continue;
    try {
      records.push([i + 1, loads(lines[i])]);
    } catch {
      bad.push([i + 1, "not valid JSON"]);
    }
  }
  if (bad.length && !records.length) {
    let doc: V;
    try {
      doc = loads(text);
    } catch {
      return { records, bad };
    }
    return { records: Array.isArray(doc) ? doc.map((r) => [0, r] as [number, V]) : [[0, doc]], bad: [] };
  }
  return { records, bad };
}

// ---------------------------------------------------------------- helpers

function jsonField(v: V): V {
  if (isStr(v)) {
    try {
      return loads(v);
    } catch {
      throw new Drop("bad_json");
    }
  }
  return v;
}

interface Call {
  name: string;
  arguments: Obj;
}

function calls(v: V): Call[] {
  if (isObj(v)) v = [v];
  if (!Array.isArray(v)) throw new Drop("bad_call");
  const out: Call[] = [];
  for (const c of v) {
    if (!isObj(c) || !isStr(c.name)) throw new Drop("bad_call");
    let args: V = "arguments" in c ? c.arguments : "parameters" in c ? c.parameters : {};
    if (isStr(args)) {
      try {
        args = isBlank(args) ? {} : loads(args);
      } catch {
        throw new Drop("bad_call");
      }
    }
    if (!isObj(args)) throw new Drop("bad_call");
    out.push({ name: c.name, arguments: args });
  }
  return out;
}

/** An earlier call as the paper puts it in the prompt: json.dumps of its JSON text. */
const callContext = (cs: Call[]): string => pyJsonDumps(pyJsonDumps(cs));

function text(v: V): string {
  if (isStr(v)) return v;
  if (Array.isArray(v)) return v.map((p) => (isObj(p) && isStr(p.text) ? p.text : "")).join("");
  if (v === null || v === undefined) return "";
  return dumpCompact(v);
}

interface Out {
  id: string;
  tools: V;
  messages: { role: string; content: string }[];
  answer: Call[];
}

function finish(sample: Out): Out {
  if (!Array.isArray(sample.tools)) throw new Drop("bad_record");
  for (const t of sample.tools) if (!isObj(t)) throw new Drop("unreadable_tool");
  const reason = paperDropReason(sample as unknown as Sample);
  if (reason) throw new Drop(reason.code);
  return sample;
}

const system = (t: string): { role: string; content: string }[] => (t ? [{ role: "system", content: t }] : []);

type Turn = [string, string | Call[]];
type Result = Out | string;

function split(rid: string, tools: V, turns: Turn[]): Result[] {
  const steps: number[] = [];
  turns.forEach(([role], i) => {
    if (role === "call") steps.push(i);
  });
  if (!steps.length) return ["no_tool_call"];
  const out: Result[] = [];
  steps.forEach((i, k) => {
    const sid = steps.length === 1 ? rid : `${rid}#${k + 1}`;
    const messages = turns.slice(0, i).map(([role, content]) => (role === "call" ? { role: "assistant", content: callContext(content as Call[]) } : { role, content: content as string }));
    try {
      out.push(finish({ id: sid, tools, messages, answer: turns[i][1] as Call[] }));
    } catch (e) {
      if (!(e instanceof Drop)) throw e;
      out.push(e.code);
    }
  });
  return out;
}

// ---------------------------------------------------------------- formats

const RAW_ROLES: { [k: string]: string } = { human: "user", gpt: "assistant", observation: "tool", function_call: "assistant" };

function fromRaw(rec: V, rid: string): Result[] {
  if (!isObj(rec) || !Array.isArray(rec.conversations)) throw new Drop("bad_record");
  const tools = jsonField("tools" in rec ? rec.tools : []);
  const answer = calls(jsonField("answer" in rec ? rec.answer : []));
  const rawSystem = "raw_system" in rec ? rec.raw_system : "";
  if (!isStr(rawSystem)) throw new Drop("bad_record");
  const messages = system(rawSystem);
  for (const c of rec.conversations) {
    if (!isObj(c) || !isStr(c.from) || !Object.prototype.hasOwnProperty.call(RAW_ROLES, c.from)) throw new Drop("bad_record");
    const content = c.from === "function_call" ? pyJsonDumps(c.value) : c.value;
    if (!isStr(content)) throw new Drop("bad_record");
    messages.push({ role: RAW_ROLES[c.from], content });
  }
  return [finish({ id: rid, tools, messages, answer })];
}

function fromXlam(rec: V, rid: string): Result[] {
  if (!isObj(rec) || !isStr(rec.query)) throw new Drop("bad_record");
  const tools = jsonField("tools" in rec ? rec.tools : "[]");
  const answer = calls(jsonField("answers" in rec ? rec.answers : "[]"));
  return [finish({ id: rid, tools, messages: [{ role: "system", content: DEFAULT_SYSTEM }, { role: "user", content: rec.query }], answer })];
}

const TOOLACE_MARKER = "JSON format that you can invoke:\n";
const FUNC_RE = /([a-zA-Z0-9._?|\s-]+)\((.*?)\)/g;
const VALID_RE = /^\[\s*([a-zA-Z0-9._?|\s\-/]+\(.*?\)\s*)(,\s*[a-zA-Z0-9._?|\s\-/]+\(.*?\)\s*)*\]$/;
const TOOL_CALL_RE = /<tool_call>([\s\S]*?)<\/tool_call>/g;

function jsonValueEnd(s: string, i: number): number {
  let depth = 0;
  let inStr = false;
  let esc = false;
  for (let j = i; j < s.length; j++) {
    const ch = s[j];
    if (inStr) {
      if (esc) esc = false;
      else if (ch === "\\") esc = true;
      else if (ch === '"') inStr = false;
    } else if (ch === '"') inStr = true;
    else if (ch === "[" || ch === "{") depth++;
    else if (ch === "]" || ch === "}") {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return -1;
}

/** ToolACE: the system text up to the marker, and the JSON tool list that follows it. */
export function toolsFromSystem(sys: string): [string, V[] | null] {
  const idx = sys.indexOf(TOOLACE_MARKER);
  if (idx < 0) return [sys, null];
  const head = sys.slice(0, idx + TOOLACE_MARKER.length);
  const start = sys.indexOf("[", idx + TOOLACE_MARKER.length);
  if (start < 0) return [head, null];
  const end = jsonValueEnd(sys, start);
  if (end < 0) throw new Drop("bad_json");
  let tools: V;
  try {
    tools = loads(sys.slice(start, end));
  } catch {
    throw new Drop("bad_json");
  }
  return [head, Array.isArray(tools) ? tools : null];
}

/** Tool-N1's verl/utils/tool_utils.py _split_top_level_args. */
function splitTopLevelArgs(s: string): string[] {
  const items: string[] = [];
  let current = "";
  let quote: string | null = null;
  let paren = 0;
  let bracket = 0;
  let brace = 0;
  for (const ch of s) {
    if (quote) {
      current += ch;
      if (ch === quote) quote = null;
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "(") paren++;
    else if (ch === ")") paren--;
    else if (ch === "[") bracket++;
    else if (ch === "]") bracket--;
    else if (ch === "{") brace++;
    else if (ch === "}") brace--;
    else if (ch === "," && paren === 0 && bracket === 0 && brace === 0) {
      items.push(pyStrip(current));
      current = "";
      continue;
    }
    current += ch;
  }
  if (current) items.push(pyStrip(current));
  return items;
}

/** Python's str.strip(): the characters str.isspace() accepts. */
const PY_WS = "[\\t\\n\\v\\f\\r \\u001c-\\u001f\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const PY_STRIP_RE = new RegExp(`^${PY_WS}+|${PY_WS}+$`, "g");
const pyStrip = (s: string): string => s.replace(PY_STRIP_RE, "");

// A subset of Python's ast.literal_eval: strings (with escapes and implicit concatenation), ints,
// floats, True/False/None, lists, tuples and string-keyed dicts. Anything else fails.
class LiteralError extends Error {}

class PyLiteral {
  i = 0;
  constructor(readonly s: string) {}
  ws(): void {
    while (this.i < this.s.length && " \t\n\r\f\v".includes(this.s[this.i])) this.i++;
  }
  value(depth: number): V {
    if (depth > 100) throw new LiteralError();
    this.ws();
    const c = this.s[this.i];
    if (c === undefined) throw new LiteralError();
    if (c === "'" || c === '"') {
      let out = this.str();
      for (;;) {
        const save = this.i;
        this.ws();
        const d = this.s[this.i];
        if (d === "'" || d === '"') out += this.str();
        else {
          this.i = save;
          return out;
        }
      }
    }
    if (c === "[") return this.seq("]", depth);
    if (c === "(") {
      this.i++;
      this.ws();
      if (this.s[this.i] === ")") {
        this.i++;
        return [];
      }
      const first = this.value(depth + 1);
      this.ws();
      if (this.s[this.i] === ")") {
        this.i++;
        return first;
      }
      if (this.s[this.i] !== ",") throw new LiteralError();
      this.i++;
      const rest = this.items(")", depth);
      return [first, ...rest];
    }
    if (c === "{") {
      this.i++;
      const o: Obj = {};
      this.ws();
      if (this.s[this.i] === "}") {
        this.i++;
        return o;
      }
      for (;;) {
        const k = this.value(depth + 1);
        if (!isStr(k)) throw new LiteralError();
        this.ws();
        if (this.s[this.i] !== ":") throw new LiteralError();
        this.i++;
        const v = this.value(depth + 1);
        if (k === "__proto__") Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
        else o[k] = v;
        this.ws();
        if (this.s[this.i] === ",") {
          this.i++;
          this.ws();
          if (this.s[this.i] === "}") {
            this.i++;
            return o;
          }
          continue;
        }
        if (this.s[this.i] === "}") {
          this.i++;
          return o;
        }
        throw new LiteralError();
      }
    }
    if (c === "-" || c === "+") {
      this.i++;
      this.ws();
      const n = this.num();
      if (c === "+") return n;
      return n.isFloat ? new PyNum("-" + n.text, true, -n.value) : new PyNum(n.text === "0" ? "0" : "-" + n.text, false, -n.value);
    }
    for (const [word, val] of [["True", true], ["False", false], ["None", null]] as [string, V][]) {
      if (this.s.startsWith(word, this.i) && !/[\w]/.test(this.s[this.i + word.length] ?? "")) {
        this.i += word.length;
        return val;
      }
    }
    return this.num();
  }
  items(close: string, depth: number): V[] {
    const out: V[] = [];
    for (;;) {
      this.ws();
      if (this.s[this.i] === close) {
        this.i++;
        return out;
      }
      out.push(this.value(depth + 1));
      this.ws();
      if (this.s[this.i] === ",") {
        this.i++;
        continue;
      }
      if (this.s[this.i] === close) {
        this.i++;
        return out;
      }
      throw new LiteralError();
    }
  }
  seq(close: string, depth: number): V[] {
    this.i++;
    return this.items(close, depth);
  }
  num(): PyNum {
    const m = /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:(?:[0-9](?:_?[0-9])*)?\.[0-9](?:_?[0-9])*|[0-9](?:_?[0-9])*\.?)(?:[eE][+-]?[0-9](?:_?[0-9])*)?)/.exec(this.s.slice(this.i));
    if (!m) throw new LiteralError();
    const t = m[0];
    const after = this.s[this.i + t.length];
    if (after !== undefined && /[\w.]/.test(after)) throw new LiteralError(); // 1j, 1x, 1.2.3
    this.i += t.length;
    const clean = t.replace(/_/g, "");
    if (/^0[xXoObB]/.test(clean)) {
      const big = BigInt(clean.toLowerCase());
      return new PyNum(big.toString(), false, Number(big));
    }
    if (/[.eE]/.test(clean)) {
      const x = Number(clean);
      if (!Number.isFinite(x)) throw new LiteralError();
      return new PyNum(clean, true, x);
    }
    if (/^0+[1-9]/.test(clean)) throw new LiteralError(); // leading zeros are a syntax error
    const dec = clean.replace(/^0+(?=\d)/, "");
    return new PyNum(dec, false, Number(dec));
  }
  str(): string {
    const q = this.s[this.i];
    if (this.s.startsWith(q + q + q, this.i)) throw new LiteralError();
    this.i++;
    let out = "";
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined || c === "\n") throw new LiteralError();
      this.i++;
      if (c === q) return out;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = this.s[this.i++];
      if (e === undefined) throw new LiteralError();
      const simple: { [k: string]: string } = { "\\": "\\", "'": "'", '"': '"', n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", v: "\v", a: "\u0007", "\n": "" };
      if (e in simple) out += simple[e];
      else if (e >= "0" && e <= "7") {
        let oct = e;
        while (oct.length < 3 && this.s[this.i] >= "0" && this.s[this.i] <= "7") oct += this.s[this.i++];
        out += String.fromCodePoint(parseInt(oct, 8));
      } else if (e === "x" || e === "u" || e === "U") {
        const n = e === "x" ? 2 : e === "u" ? 4 : 8;
        const h = this.s.slice(this.i, this.i + n);
        if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h)) throw new LiteralError();
        const cp = parseInt(h, 16);
        if (cp > 0x10ffff) throw new LiteralError();
        out += String.fromCodePoint(cp);
        this.i += n;
      } else if (e === "N") throw new LiteralError();
      else out += "\\" + e;
    }
  }
}

/** A Python literal argument value as Tool-N1 reads it (ast.literal_eval, else the text unquoted). */
export function literal(val: string): V {
  try {
    const p = new PyLiteral(val.replace(/^[ \t]+/, ""));
    const v = p.value(0);
    p.ws();
    if (p.i !== p.s.length) throw new LiteralError();
    return v;
  } catch (e) {
    if (!(e instanceof LiteralError)) throw e;
    return val.replace(/^['"]+|['"]+$/g, "");
  }
}

/** `[f(a=1, b='x'), g()]` as Tool-N1's _parse_function_string reads it. */
export function parseFunctionString(s: string): Call[] {
  const out: Call[] = [];
  for (const m of s.matchAll(FUNC_RE)) {
    const args: Obj = {};
    for (const item of splitTopLevelArgs(m[2])) {
      const eq = item.indexOf("=");
      if (eq < 0) continue;
      const k = pyStrip(item.slice(0, eq));
      const v = literal(pyStrip(item.slice(eq + 1)));
      if (k === "__proto__") Object.defineProperty(args, k, { value: v, enumerable: true, writable: true, configurable: true });
      else args[k] = v;
    }
    out.push({ name: pyStrip(m[1]), arguments: args });
  }
  return out;
}

/** The tool calls an assistant turn makes, or null for a plain reply. */
export function assistantCalls(value: string): Call[] | null {
  const v = pyStrip(value);
  if (v.includes("<tool_call>")) {
    const blocks = [...v.matchAll(TOOL_CALL_RE)].map((m) => m[1]);
    if (!blocks.length) throw new Drop("bad_call");
    const out: Call[] = [];
    for (const b of blocks) {
      let parsed: V;
      try {
        parsed = loads(pyStrip(b));
      } catch {
        throw new Drop("bad_call");
      }
      out.push(...calls(parsed));
    }
    return out;
  }
  if (v.startsWith("[") && v.endsWith("]")) {
    let parsed: V;
    try {
      parsed = loads(v);
    } catch {
      parsed = null;
    }
    if (Array.isArray(parsed) && parsed.length && parsed.every((c) => isObj(c) && "name" in c)) return calls(parsed);
    if (VALID_RE.test(v)) {
      const cs = parseFunctionString(v);
      if (cs.length) return cs;
    }
  }
  return null;
}

function fromShareGPT(rec: V, rid: string): Result[] {
  if (!isObj(rec) || !Array.isArray(rec.conversations)) throw new Drop("bad_record");
  const sys0: V = "system" in rec ? rec.system : "";
  if (!isStr(sys0)) throw new Drop("bad_record");
  let sys: string = sys0;
  let tools: V;
  if ("tools" in rec) tools = jsonField(rec.tools);
  else [sys, tools] = toolsFromSystem(sys);
  if (tools === null) tools = [];
  const turns: Turn[] = sys ? [["system", sys]] : [];
  for (const c of rec.conversations) {
    if (!isObj(c) || !isStr(c.value)) throw new Drop("bad_record");
    const who = c.from;
    if (who === "human" || who === "user") turns.push(["user", c.value]);
    else if (who === "observation" || who === "tool" || who === "function_response") turns.push(["tool", c.value]);
    else if (who === "system") turns.push(["system", c.value]);
    else if (who === "function_call") turns.push(["call", calls(jsonField(c.value))]);
    else if (who === "gpt" || who === "assistant") {
      const cs = assistantCalls(c.value);
      turns.push(cs !== null ? ["call", cs] : ["assistant", c.value]);
    } else throw new Drop("bad_record");
  }
  return split(rid, tools, turns);
}

function firstValue(v: V): [boolean, V] {
  if (!Array.isArray(v)) return [true, v];
  if (!v.length || v[0] === "") return [false, null];
  const first = v[0];
  if (isObj(first) && Object.keys(first).length && Object.values(first).every((x) => Array.isArray(x))) {
    const nested: Obj = {};
    for (const k of Object.keys(first)) {
      const [keep, val] = firstValue(first[k]);
      if (keep) nested[k] = val;
    }
    return [true, nested];
  }
  return [true, first];
}

function fromBfcl(rec: V, rid: string, answers: Map<string, V> | null): Result[] {
  if (!isObj(rec) || !Array.isArray(rec.question)) throw new Drop("bad_record");
  let q: V[] = rec.question;
  if (q.length && Array.isArray(q[0])) {
    if (q.length > 1) throw new Drop("bfcl_multi_turn");
    q = q[0] as V[];
  }
  const messages: { role: string; content: string }[] = [];
  for (const m of q) {
    if (!isObj(m) || !isStr(m.role) || !["system", "user", "assistant", "tool"].includes(m.role) || !isStr(m.content)) throw new Drop("bad_record");
    messages.push({ role: m.role, content: m.content });
  }
  let tools: V = "function" in rec ? rec.function : [];
  if (isObj(tools)) tools = [tools];
  let gt: V = "ground_truth" in rec ? rec.ground_truth : null;
  if ((gt === null || gt === undefined) && answers !== null && isStr(rec.id)) gt = answers.get(rec.id) ?? null;
  if (gt === null || gt === undefined) throw new Drop("no_ground_truth");
  if (!Array.isArray(gt)) throw new Drop("bad_record");
  const answer: Call[] = [];
  for (const call of gt) {
    if (!isObj(call) || Object.keys(call).length !== 1) throw new Drop("bad_call");
    const name = Object.keys(call)[0];
    const args = call[name];
    if (!isObj(args)) throw new Drop("bad_call");
    const out: Obj = {};
    for (const k of Object.keys(args)) {
      const [keep, val] = firstValue(args[k]);
      if (keep) out[k] = val;
    }
    answer.push({ name, arguments: out });
  }
  return [finish({ id: rid, tools, messages, answer })];
}

const OPENAI_ROLES = ["system", "developer", "user", "assistant", "tool", "function"];

function fromOpenAI(rec: V, rid: string): Result[] {
  if (!isObj(rec) || !Array.isArray(rec.messages)) throw new Drop("bad_record");
  const tools = "tools" in rec ? rec.tools : [];
  const turns: Turn[] = [];
  for (const m of rec.messages) {
    if (!isObj(m) || !isStr(m.role) || !OPENAI_ROLES.includes(m.role)) throw new Drop("bad_record");
    const role = m.role;
    const tcs = m.tool_calls;
    if (role === "assistant" && truthy(tcs)) {
      if (!Array.isArray(tcs)) throw new Drop("bad_call");
      turns.push(["call", calls(tcs.map((tc) => (isObj(tc) && isObj(tc.function) ? tc.function : tc)))]);
    } else if (role === "assistant" && isObj(m.function_call)) {
      turns.push(["call", calls([m.function_call])]);
    } else {
      turns.push([role === "developer" ? "system" : role === "function" ? "tool" : role, text(m.content)]);
    }
  }
  return split(rid, tools, turns);
}

/** Python truthiness of a parsed JSON value. */
function truthy(v: V): boolean {
  if (v === null || v === undefined || v === false || v === "") return false;
  if (v instanceof PyNum) return v.value !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isObj(v)) return Object.keys(v).length > 0;
  return true;
}

function fromCanonical(rec: V, rid: string): Result[] {
  if (!isObj(rec)) throw new Drop("bad_record");
  // The shape check of ./sample, on the parsed record (numbers as PyNum are fine for it).
  const msgs = rec.messages;
  const ans = rec.answer;
  if (("id" in rec && !isStr(rec.id)) || !Array.isArray(rec.tools) || !Array.isArray(msgs) || !Array.isArray(ans)) throw new Drop("bad_record");
  const messages: { role: string; content: string }[] = [];
  let users = 0;
  for (const m of msgs) {
    if (!isObj(m) || !isStr(m.role) || !["system", "user", "assistant", "tool"].includes(m.role) || !isStr(m.content)) throw new Drop("bad_record");
    if (m.role === "user") users++;
    messages.push({ role: m.role, content: m.content });
  }
  if (!users) throw new Drop("bad_record");
  const answer: Call[] = [];
  for (const c of ans) {
    if (!isObj(c) || !isStr(c.name) || !isObj(c.arguments)) throw new Drop("bad_record");
    answer.push({ name: c.name, arguments: c.arguments });
  }
  const id = isStr(rec.id) ? rec.id : rid;
  return [finish({ id, tools: rec.tools, messages, answer })];
}

// ---------------------------------------------------------------- driver

function recordId(rec: V, fmt: string, index: number): string {
  const v = isObj(rec) ? rec.id : undefined;
  if (isStr(v)) return v;
  if (v instanceof PyNum && !v.isFloat) return v.text === "-0" ? "0" : v.text;
  return `${fmt}-${index}`;
}

export interface ConvertResult {
  /** Canonical JSONL lines, without newlines. */
  lines: string[];
  dropped: { [code: string]: number };
  bad: [number, string][];
  records: number;
}

/** Converts parsed records: canonical lines kept, and drop counts by reason. */
export function convertRecords(fmt: ImportFormat, records: V[], answers: Map<string, V> | null = null): { lines: string[]; dropped: { [code: string]: number } } {
  if (!(FORMATS as readonly string[]).includes(fmt)) throw new Error(`unknown format '${fmt}'; one of: ${FORMATS.join(", ")}`);
  const lines: string[] = [];
  const dropped: { [code: string]: number } = {};
  records.forEach((rec, index) => {
    const rid = recordId(rec, fmt, index);
    let results: Result[];
    try {
      if (fmt === "tooln1-raw") results = fromRaw(rec, rid);
      else if (fmt === "xlam") results = fromXlam(rec, rid);
      else if (fmt === "sharegpt") results = fromShareGPT(rec, rid);
      else if (fmt === "bfcl") results = fromBfcl(rec, rid, answers);
      else if (fmt === "openai") results = fromOpenAI(rec, rid);
      else results = fromCanonical(rec, rid);
    } catch (e) {
      if (!(e instanceof Drop)) throw e;
      results = [e.code];
    }
    for (const r of results) {
      if (typeof r === "string") {
        dropped[r] = (dropped[r] ?? 0) + 1;
        continue;
      }
      try {
        lines.push(dumpSample(r));
      } catch (e) {
        if (!(e instanceof Drop)) throw e;
        dropped[e.code] = (dropped[e.code] ?? 0) + 1;
      }
    }
  });
  return { lines, dropped };
}

/** BFCL possible_answer records by id. */
export function answersFromText(t: string): { answers: Map<string, V>; bad: [number, string][] } {
  const { records, bad } = parseInput(t);
  const answers = new Map<string, V>();
  for (const [, r] of records) if (isObj(r) && isStr(r.id)) answers.set(r.id, "ground_truth" in r ? r.ground_truth : null);
  return { answers, bad };
}

/** Converts a whole input text. */
export function convertText(fmt: ImportFormat, input: string, answers: Map<string, V> | null = null): ConvertResult {
  const { records, bad } = parseInput(input);
  const { lines, dropped } = convertRecords(
    fmt,
    records.map(([, r]) => r),
    answers,
  );
  return { lines, dropped, bad, records: records.length };
}

/** The report printed on stderr (same text as the Python CLI). */
export function summary(result: ConvertResult, outPath: string): string {
  const out = [`read ${result.records} records, ${result.bad.length} unreadable lines`];
  for (const [n, err] of result.bad.slice(0, 20)) out.push(`  line ${n}: ${err}`);
  if (result.bad.length > 20) out.push(`  ... and ${result.bad.length - 20} more unreadable lines`);
  out.push(`kept ${result.lines.length} samples -> ${outPath}`);
  const codes = Object.keys(result.dropped);
  const total = codes.reduce((a, c) => a + result.dropped[c], 0);
  if (total) {
    out.push(`dropped ${total} samples:`);
    codes.sort((a, b) => result.dropped[b] - result.dropped[a] || (a < b ? -1 : a > b ? 1 : 0));
    for (const c of codes) out.push(`  ${c}: ${result.dropped[c]} (${DROP_REASONS[c] ?? c})`);
  } else out.push("dropped 0 samples");
  return out.join("\n") + "\n";
}

