import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildMessages, buildMessagesFromText, pyJsonDumps, renderChatML, DEFAULT_SYSTEM } from "../../src/core/template";
import type { Message, Sample } from "../../src/core/types";

const root = join(__dirname, "..", "..", "..");
const doc = JSON.parse(readFileSync(join(root, "test/vectors/template/cases.json"), "utf8")) as {
  samples: { name: string; line: string; jsonParseExact: boolean; messages: Message[]; chatml: string; chatml_no_generation_prompt: string }[];
  chatml: { name: string; messages: Message[]; chatml: string; chatml_no_generation_prompt: string }[];
};

for (const c of doc.samples) {
  test(`template vector: ${c.name}`, () => {
    const fromText = buildMessagesFromText(c.line);
    assert.deepEqual(fromText, c.messages);
    assert.equal(renderChatML(fromText), c.chatml);
    assert.equal(renderChatML(fromText, false), c.chatml_no_generation_prompt);
    if (c.jsonParseExact) assert.deepEqual(buildMessages(JSON.parse(c.line) as Sample), c.messages);
  });
}

for (const c of doc.chatml) {
  test(`chatml vector: ${c.name}`, () => {
    assert.equal(renderChatML(c.messages), c.chatml);
    assert.equal(renderChatML(c.messages, false), c.chatml_no_generation_prompt);
  });
}

test("the system prompt holds the paper's instructions and one tool per line", () => {
  const sample: Sample = { tools: [{ name: "a", description: "A", parameters: {} }, { name: "b", description: "B", parameters: {} }], messages: [{ role: "system", content: DEFAULT_SYSTEM }, { role: "user", content: "q" }], answer: [] };
  const sys = buildMessages(sample)[0].content;
  assert.ok(sys.startsWith(DEFAULT_SYSTEM + "# Tool\n"));
  assert.ok(sys.includes('<tools>\n{"type": "function", "function": {"name": "a", "description": "A", "parameters": {}}}\n{"type": "function", "function": {"name": "b", "description": "B", "parameters": {}}}\n</tools>'));
  assert.ok(sys.includes("enclosed your reasoning within <think> </think> XML tags."));
  assert.ok(sys.endsWith("Please make sure the type of the arguments is correct. \n"));
});

test("pyJsonDumps matches Python's json.dumps on plain values", () => {
  assert.equal(pyJsonDumps({ a: [1, 2.5, "é", null, true], b: { c: 1e-7 } }), '{"a": [1, 2.5, "\\u00e9", null, true], "b": {"c": 1e-07}}');
  assert.equal(pyJsonDumps("😀"), '"\\ud83d\\ude00"');
  assert.equal(pyJsonDumps("é\n", false), '"é\\n"');
});

test("a malformed sample gets an error naming the field", () => {
  assert.throws(() => buildMessages({ tools: "x", messages: [], answer: [] } as unknown as Sample), /"tools"/);
  assert.throws(() => buildMessages({ tools: [], messages: [{ role: "user", content: 3 }], answer: [] } as unknown as Sample), /messages\[0\]\.content/);
});

test("renderChatML gives what Qwen2.5's own chat template renders", async () => {
  const { Template } = await import("@huggingface/jinja");
  const qwen = new Template(readFileSync(join(root, "test/vectors/template/qwen2.5-chat-template.jinja"), "utf8"));
  const conversations = [...doc.samples.map((c) => c.messages), ...doc.chatml.filter((c) => c.messages.length).map((c) => c.messages)];
  for (const messages of conversations) {
    for (const gen of [true, false]) assert.equal(qwen.render({ messages, add_generation_prompt: gen }), renderChatML(messages, gen));
  }
});
