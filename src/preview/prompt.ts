/**
 * The prompt of "Try a model": the user's query with the tools of the current schema file,
 * rendered by the same template code the trainer uses (src/core/template.ts). No vscode import.
 */
import { parse as parseJsonc, type ParseError } from "jsonc-parser";
import { readToolList, toOpenAITool } from "../core/schema";
import { buildMessages, renderChatML } from "../core/template";
import type { Json, Message, Sample } from "../core/types";

export interface TryPrompt {
  messages: Message[];
  /** The prompt text, ending with the assistant turn's opening. */
  text: string;
  /** Things the user should know (no tools, tool problems). */
  notes: string[];
}

function at(doc: Json, path: (string | number)[]): Json | undefined {
  let v: Json | undefined = doc;
  for (const k of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = Array.isArray(v) ? v[k as number] : v[k as string];
  }
  return v;
}

export function buildTryPrompt(toolsText: string | null, query: string): TryPrompt {
  const notes: string[] = [];
  let tools: Json[] = [];
  if (toolsText === null) notes.push("No tool schema chosen: the prompt lists no tools.");
  else {
    const errors: ParseError[] = [];
    const doc = parseJsonc(toolsText, errors, { allowTrailingComma: true }) as Json;
    if (errors.length) notes.push("The tool schema file is not valid JSON: the prompt lists no tools.");
    else {
      const r = readToolList(doc);
      // The tools as written in the file, like a dataset sample's tools (the template wraps bare ones).
      tools = r.tools.map((t) => at(doc, t.path) ?? toOpenAITool(t));
      if (r.problems.some((p) => p.severity === "error")) notes.push("Some tools in the schema file have problems and were left out.");
    }
  }
  const sample: Sample = { tools, messages: [{ role: "user", content: query }], answer: [] };
  const messages = buildMessages(sample);
  const text = renderChatML(messages, true);
  return { messages, text, notes };
}
