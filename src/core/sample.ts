/**
 * Dataset samples, one per line of a canonical `.tooln1.jsonl` dataset:
 * `{"id"?: str, "tools": [tool...], "messages": [{"role", "content"}...], "answer": [{"name", "arguments"}...]}`.
 * `validateSample` checks the sample's own shape (each tool is read by ./schema and each ground-truth
 * call checked by ./callcheck separately); `paperDropReason` says whether the paper's preprocessing
 * would drop it. Mirrored by trainer/src/tooln1/sample.py (test/vectors/importers/samples.json).
 */
import type { Json, Message, Sample, ToolCall } from "./types";
import { isObject, jsonTypeOf, normalizeTool, type SchemaProblem } from "./schema";

const ROLES: ReadonlySet<string> = new Set(["system", "user", "assistant", "tool"]);

function problem(code: string, message: string, path: (string | number)[], severity: SchemaProblem["severity"] = "error"): SchemaProblem {
  return { code, severity, message, path };
}

/** Checks a parsed dataset line. `sample` is present when the line has no errors (warnings allowed). */
export function validateSample(json: Json): { sample?: Sample; problems: SchemaProblem[] } {
  const problems: SchemaProblem[] = [];
  if (!isObject(json)) {
    problems.push(problem("sample_not_object", `a sample must be a JSON object with "tools", "messages" and "answer", not ${jsonTypeOf(json)}`, []));
    return { problems };
  }
  const id = json.id;
  if (id !== undefined && typeof id !== "string") problems.push(problem("bad_id", `"id" must be a string, not ${jsonTypeOf(id)}`, ["id"]));

  const tools = json.tools;
  if (tools === undefined) problems.push(problem("missing_tools", `the sample has no "tools" (the candidate tool list, [] for none)`, []));
  else if (!Array.isArray(tools)) problems.push(problem("bad_tools", `"tools" must be an array of tools, not ${jsonTypeOf(tools)}`, ["tools"]));

  const messages = json.messages;
  const msgs: Message[] = [];
  if (messages === undefined) problems.push(problem("missing_messages", `the sample has no "messages" (the conversation so far)`, []));
  else if (!Array.isArray(messages)) problems.push(problem("bad_messages", `"messages" must be an array of {"role", "content"}, not ${jsonTypeOf(messages)}`, ["messages"]));
  else {
    let users = 0;
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i];
      if (!isObject(m)) {
        problems.push(problem("bad_message", `a message must be {"role", "content"}, not ${jsonTypeOf(m)}`, ["messages", i]));
        continue;
      }
      const role = m.role;
      const content = m.content;
      let ok = true;
      if (typeof role !== "string" || !ROLES.has(role)) {
        problems.push(problem("bad_role", `"role" must be "system", "user", "assistant" or "tool", not ${typeof role === "string" ? JSON.stringify(role) : jsonTypeOf(role)}`, ["messages", i, "role"]));
        ok = false;
      }
      if (typeof content !== "string") {
        problems.push(problem("bad_content", `"content" must be a string, not ${jsonTypeOf(content)}`, ["messages", i, "content"]));
        ok = false;
      }
      if (!ok) continue;
      if (role === "system" && i > 0) problems.push(problem("system_not_first", `a system message belongs first; this one is sent as a later system turn`, ["messages", i, "role"], "warning"));
      if (role === "user") users++;
      msgs.push({ role: role as Message["role"], content: content as string });
    }
    if (messages.length && users === 0) problems.push(problem("no_user_message", `the conversation has no user message`, ["messages"]));
    if (messages.length === 0) problems.push(problem("no_messages", `"messages" is empty: the model needs at least a user message`, ["messages"]));
    const last = msgs[msgs.length - 1];
    if (last && last.role === "assistant") {
      problems.push(problem("ends_with_assistant", `the conversation ends with an assistant message; the answer is the next assistant step, so it usually ends with a user or tool message`, ["messages", messages.length - 1], "warning"));
    }
  }

  const answer = json.answer;
  const calls: ToolCall[] = [];
  if (answer === undefined) problems.push(problem("missing_answer", `the sample has no "answer" (the ground-truth calls, [] for none)`, []));
  else if (!Array.isArray(answer)) problems.push(problem("bad_answer", `"answer" must be an array of {"name", "arguments"}, not ${jsonTypeOf(answer)}`, ["answer"]));
  else {
    for (let i = 0; i < answer.length; i++) {
      const c = answer[i];
      if (!isObject(c)) {
        problems.push(problem("bad_answer_call", `a ground-truth call must be {"name", "arguments"}, not ${jsonTypeOf(c)}`, ["answer", i]));
        continue;
      }
      if (typeof c.name !== "string") {
        problems.push(problem("bad_answer_call", c.name === undefined ? `the call has no "name"` : `"name" must be a string, not ${jsonTypeOf(c.name)}`, ["answer", i, "name"]));
        continue;
      }
      if (!isObject(c.arguments)) {
        problems.push(problem("bad_answer_call", c.arguments === undefined ? `the call has no "arguments" object` : `"arguments" must be an object, not ${jsonTypeOf(c.arguments)}`, ["answer", i, "arguments"]));
        continue;
      }
      calls.push({ name: c.name, arguments: c.arguments });
    }
  }
  if (problems.some((p) => p.severity === "error")) return { problems };
  const sample: Sample = { tools: tools as Json[], messages: msgs, answer: calls };
  if (typeof id === "string") sample.id = id;
  return { sample, problems };
}

export interface DropReason {
  /** Stable code: counted by `tooln1 convert`, shown by the language server. */
  code: "no_tools" | "unknown_tool_in_answer" | "unreadable_tool";
  message: string;
}

/** Why the paper's preprocessing would drop this sample, or null when it keeps it. */
export function paperDropReason(sample: Sample): DropReason | null {
  if (!sample.tools.length) return { code: "no_tools", message: "the candidate tool list is empty" };
  const names = new Set<string>();
  for (let i = 0; i < sample.tools.length; i++) {
    const r = normalizeTool(sample.tools[i], ["tools", i]);
    if (!r.tool) return { code: "unreadable_tool", message: `tools[${i}] cannot be read as a tool (${r.problems[0]?.message ?? "no name"})` };
    names.add(r.tool.name);
  }
  for (let i = 0; i < sample.answer.length; i++) {
    const name = sample.answer[i].name;
    if (!names.has(name)) return { code: "unknown_tool_in_answer", message: `the ground truth calls '${name}', which is not among the candidate tools` };
  }
  return null;
}

/** `paperDropReason(sample)?.message ?? null`. */
export function wouldPaperDrop(sample: Sample): string | null {
  return paperDropReason(sample)?.message ?? null;
}
