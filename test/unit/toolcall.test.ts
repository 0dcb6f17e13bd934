// parseToolCalls: reasoning, blocks, calls and located errors (UTF-16 offsets for the editor).
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseToolCalls } from "../../src/core/toolcall";

test("paper form: one block with a JSON list; offsets are UTF-16", () => {
  const text = '<think>😀 plan</think><tool_call>[{"name": "a", "arguments": {"x": 1}}, {"name": "b", "arguments": "{\\"y\\": 2}"}]</tool_call>';
  const p = parseToolCalls(text);
  assert.equal(p.thinkOk, true);
  assert.deepEqual(p.reasoning, { text: "😀 plan", start: 7, end: 14 });
  assert.equal(p.blocks.length, 1);
  assert.deepEqual(p.calls.map((c) => [c.name, c.arguments, c.block]), [["a", { x: 1 }, 0], ["b", { y: 2 }, 0]]);
  assert.equal(text.slice(p.calls[0].start, p.calls[0].end), '{"name": "a", "arguments": {"x": 1}}');
  assert.deepEqual(p.errors, []);
});

test("Hermes form: one call per block", () => {
  const p = parseToolCalls('<think>t</think>\n<tool_call>\n{"name": "a", "arguments": {}}\n</tool_call>\n<tool_call>\n{"name": "b", "arguments": {}}\n</tool_call>');
  assert.deepEqual(p.calls.map((c) => [c.name, c.block]), [["a", 0], ["b", 1]]);
});

test("errors are located: bad JSON inside a block points at the offending character", () => {
  const text = '<think>t</think><tool_call>{"name": "a", "arguments": {"x": 1,}}</tool_call>';
  const p = parseToolCalls(text);
  assert.equal(p.errors.length, 1);
  const e = p.errors[0];
  assert.equal(e.code, "bad_json");
  assert.match(e.message, /expected '"' to start a property name/);
  assert.equal(text.slice(e.start, e.end), "}");
});

test("unclosed and stray tags, tool call before reasoning", () => {
  const p = parseToolCalls('</tool_call><tool_call>{"name": "a", "arguments": {}}</tool_call><think>t</think><tool_call>[');
  assert.deepEqual(p.errors.map((e) => [e.code, e.start]), [["unclosed_tool_call", 0], ["no_think", 12], ["unclosed_tool_call", 81]]);
  assert.equal(p.thinkOk, false);
  assert.equal(p.blocks.filter((b) => !b.closed).length, 1);
});

test("tags mentioned inside the reasoning are not blocks", () => {
  const p = parseToolCalls('<think>I will answer in <tool_call> tags</think><tool_call>{"name": "a", "arguments": {}}</tool_call>');
  assert.equal(p.blocks.length, 1);
  assert.equal(p.calls.length, 1);
  assert.deepEqual(p.errors, []);
});

test("only the text after the last assistant marker is parsed", () => {
  const p = parseToolCalls('<|im_start|>system\n<tool_call>{"name": "x", "arguments": {}}</tool_call><|im_start|>assistant\n<think>t</think><tool_call>{"name": "a", "arguments": {}}</tool_call>');
  assert.deepEqual(p.calls.map((c) => c.name), ["a"]);
});

test("bad call shapes name what is wrong", () => {
  const p = parseToolCalls('<think>t</think><tool_call>[{"name": 1, "arguments": {}}, {"name": "b"}, 5, {"name": "c", "arguments": "[1]"}]</tool_call>');
  assert.deepEqual(p.errors.map((e) => e.message), [
    "the call's \"name\" is not a string",
    'the call has no "arguments"',
    "item 2 of the call list is not an object",
    '"arguments" is a string that does not hold a JSON object',
  ]);
});

test("__proto__ as an argument name is kept as data", () => {
  const p = parseToolCalls('<think>t</think><tool_call>{"name": "a", "arguments": {"__proto__": {"x": 1}}}</tool_call>');
  assert.deepEqual(Object.keys(p.calls[0].arguments), ["__proto__"]);
  assert.equal(Object.getPrototypeOf(p.calls[0].arguments), Object.prototype);
});

test("a text full of unmatched tags is scanned in linear time", () => {
  // Quadratic scanning would take minutes here (each <tool_call> searching the rest for a close).
  const p = parseToolCalls("<think>t</think>" + "<tool_call>".repeat(50000) + "x" + "</tool_call>".repeat(50000));
  assert.equal(p.blocks.length, 50000);
  assert.equal(p.blocks.filter((b) => b.closed).length, 1);
  assert.equal(p.errors.filter((e) => e.code === "unclosed_tool_call").length, 49999 + 49999);
  assert.equal(p.errors.filter((e) => e.code === "bad_json").length, 1); // the "x"
});
