/**
 * The paper's thinking template, byte-identical to trainer/src/tooln1/template.py (which reproduces
 * NVlabs/Tool-N1 `construct_prompt`): tools written as Python's `json.dumps` writes them (", " and
 * ": " separators, non-ASCII as \uXXXX, floats in Python's repr), one per line inside <tools>.
 *
 * Numbers: a value parsed with JSON.parse cannot tell `1.0` from `1`, so a tool holding `1.0`
 * would print as `1` here and `1.0` in Python. Tools read with `parsePyJson` (./pyjson) keep the
 * literal, and `buildMessagesFromText` uses it: prefer it when the line's text is at hand.
 */
import type { Message, Sample } from "./types";
import { PyNum, parsePyJson, pyFloatRepr, pyIntText, pyQuote, type PyJson } from "./pyjson";

export const TOOL_PROMPT_HEAD = "# Tool\n\nHere is a list of functions in JSON format that you can invoke:\n\n<tools>\n";
export const TOOL_PROMPT_TAIL =
  "\n</tools>\n\nIn each action step, you MUST: \n" +
  "1. Think about the reasoning process in the mind and enclosed your reasoning within <think> </think> XML tags.\n" +
  "2. Then, provide a json object with function names and arguments within <tool_call></tool_call> XML tags. " +
  'i.e., <tool_call>[{"name": <function-name>, "arguments": <args-json-object>}, {"name": <function-name2>, "arguments": <args-json-object2>}, ...]</tool_call>\n' +
  "3. Make sure both the reasoning and the tool call steps are included together in one single reply.\n" +
  "A complete reply example is: <think>To address the query, I need to send the email to Bob and then buy the banana through walmart. </think> " +
  '<tool_call> [{"name": "email", "arguments": {"receiver": "Bob", "content": "I will bug banana through walmart"}}, {"name": "walmart", "arguments": {"input": "banana"}}]</tool_call>. ' +
  "Please make sure the type of the arguments is correct. \n";

/** The system text the official pipeline gives xLAM samples (`DEFAULT_PROMPT`). */
export const DEFAULT_SYSTEM =
  "You are an expert in composing functions. You are given a question and a set of possible functions. \n" +
  "Based on the question, you will need to make one or more function/tool calls to achieve the purpose. \n" +
  "If none of the function can be used, point it out. If the given question lacks the parameters required by the function,\n" +
  "also point it out. You should only return the function call in tools call sections. " +
  "Here is a list of functions in JSON format that you can invoke:\n";

/** Qwen2.5's chat template puts this system message first when a conversation has none. */
export const QWEN_DEFAULT_SYSTEM = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";

/**
 * Python's `json.dumps(v)` with default arguments, keys in insertion order. Accepts plain JSON
 * values and ./pyjson values (Map objects, PyNum numbers) alike.
 */
export function pyJsonDumps(v: unknown, ensureAscii = true): string {
  if (v === null || v === undefined) return "null";
  if (v === true) return "true";
  if (v === false) return "false";
  if (typeof v === "string") return ensureAscii ? pyQuote(v) : quoteUnicode(v);
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return v !== v ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
    const t = JSON.stringify(v);
    return /[.eE]/.test(t) ? pyFloatRepr(v) : t;
  }
  if (v instanceof PyNum) return v.isFloat ? pyFloatRepr(v.value) : pyIntText(v.text);
  if (Array.isArray(v)) return "[" + v.map((x) => pyJsonDumps(x, ensureAscii)).join(", ") + "]";
  const q = ensureAscii ? pyQuote : quoteUnicode;
  if (v instanceof Map) {
    const parts: string[] = [];
    for (const [k, x] of v) parts.push(q(String(k)) + ": " + pyJsonDumps(x, ensureAscii));
    return "{" + parts.join(", ") + "}";
  }
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    return "{" + Object.keys(o).map((k) => q(k) + ": " + pyJsonDumps(o[k], ensureAscii)).join(", ") + "}";
  }
  return "null";
}

const HEX = "0123456789abcdef";
/** A string as `json.dumps(s, ensure_ascii=False)` writes it. */
export function quoteUnicode(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) out += '\\"';
    else if (c === 92) out += "\\\\";
    else if (c >= 32) out += s[i];
    else if (c === 10) out += "\\n";
    else if (c === 13) out += "\\r";
    else if (c === 9) out += "\\t";
    else if (c === 8) out += "\\b";
    else if (c === 12) out += "\\f";
    else out += "\\u00" + HEX[c >> 4] + HEX[c & 15];
  }
  return out + '"';
}

function field(v: unknown, key: string): unknown {
  if (v instanceof Map) return v.get(key);
  if (typeof v === "object" && v !== null && !Array.isArray(v)) return (v as Record<string, unknown>)[key];
  return undefined;
}
const isMapLike = (v: unknown): boolean => v instanceof Map || (typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof PyNum));

/** One tool as the paper writes it in the prompt (a tool already in OpenAI form is not wrapped twice). */
export function toolLine(tool: unknown): string {
  let fn = tool;
  const inner = field(tool, "function");
  const type = field(tool, "type");
  if (isMapLike(tool) && isMapLike(inner) && (type === undefined || type === "function")) fn = inner;
  return '{"type": "function", "function": ' + pyJsonDumps(fn) + "}";
}

/** The `# Tool` section: tools one per line inside <tools>, then the instructions. */
export function toolPrompt(tools: readonly unknown[]): string {
  return TOOL_PROMPT_HEAD + tools.map(toolLine).join("\n") + TOOL_PROMPT_TAIL;
}

/** The chat messages the model sees: system prompt with the tools, then the conversation. */
export function buildMessages(sample: Sample): Message[] {
  const tools = sample.tools as unknown;
  const messages = sample.messages as unknown;
  if (!Array.isArray(tools)) throw new Error('sample "tools" must be a list of tools');
  if (!Array.isArray(messages)) throw new Error('sample "messages" must be a list of {"role", "content"}');
  let rawSystem = "";
  let first = 0;
  if (messages.length && field(messages[0], "role") === "system") {
    rawSystem = content(messages[0], 0);
    first = 1;
  }
  const out: Message[] = [{ role: "system", content: rawSystem + toolPrompt(tools) }];
  for (let i = first; i < messages.length; i++) {
    const role = field(messages[i], "role");
    if (typeof role !== "string") throw new Error(`sample "messages[${i}]" must be {"role", "content"}`);
    out.push({ role: role as Message["role"], content: content(messages[i], i) });
  }
  return out;
}

function content(m: unknown, i: number): string {
  const c = field(m, "content");
  if (typeof c !== "string") throw new Error(`sample "messages[${i}].content" must be a string`);
  return c;
}

/**
 * `buildMessages` from a dataset line's text, keeping number literals (`1.0`) and key order exactly
 * as Python reads them. Throws on invalid JSON.
 */
export function buildMessagesFromText(line: string): Message[] {
  const v = parsePyJson(line, { constants: true });
  if (!(v instanceof Map)) throw new Error("a sample must be a JSON object");
  const messages = v.get("messages");
  const sample = { tools: v.get("tools"), messages: Array.isArray(messages) ? messages.map(plainMessage) : messages };
  return buildMessages(sample as unknown as Sample);
}

function plainMessage(m: PyJson): unknown {
  return m instanceof Map ? { role: m.get("role"), content: m.get("content") } : m;
}

/**
 * Qwen2.5 ChatML, as its chat template renders plain messages: `<|im_start|>role\ncontent<|im_end|>\n`;
 * `tool` messages go inside a `user` turn as <tool_response> blocks (consecutive ones share it), and
 * a conversation without a system message gets Qwen's default one.
 */
export function renderChatML(messages: readonly Message[], addGenerationPrompt = true): string {
  let out = "";
  if (!messages.length || messages[0].role !== "system") out += `<|im_start|>system\n${QWEN_DEFAULT_SYSTEM}<|im_end|>\n`;
  const n = messages.length;
  for (let i = 0; i < n; i++) {
    const m = messages[i];
    if (m.role === "tool") {
      if (i === 0 || messages[i - 1].role !== "tool") out += "<|im_start|>user";
      out += "\n<tool_response>\n" + m.content + "\n</tool_response>";
      if (i === n - 1 || messages[i + 1].role !== "tool") out += "<|im_end|>\n";
    } else out += `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`;
  }
  if (addGenerationPrompt) out += "<|im_start|>assistant\n";
  return out;
}

/** `renderChatML(buildMessages(sample))`. */
export function renderPrompt(sample: Sample, addGenerationPrompt = true): string {
  return renderChatML(buildMessages(sample), addGenerationPrompt);
}

