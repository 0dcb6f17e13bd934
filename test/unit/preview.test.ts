/** The preview's host-side pure parts: openPreview arguments, prefill from JSONL lines, the Try prompt, the CSP. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { prefillFromLine, toPrefill } from "../../src/preview/args";
import { buildTryPrompt } from "../../src/preview/prompt";
import { previewHtml } from "../../src/preview/page";
import { makeNonce, webviewCsp, webviewHtml } from "../../src/webviewHtml";
import { renderPrompt } from "../../src/core/template";

const TOOL = { name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };

test("openPreview args: completion, ground truth (list or JSON text), inline tools, schema file, query", () => {
  const a = toPrefill({ completion: "<think>x</think>", groundTruth: [{ name: "f", arguments: {} }], tools: [TOOL], toolsUri: "file:///w/a.tools.json", query: "q" });
  assert.equal(a.prefill.completion, "<think>x</think>");
  assert.deepEqual(JSON.parse(a.prefill.groundTruth!), [{ name: "f", arguments: {} }]);
  assert.deepEqual(JSON.parse(a.prefill.tools!.text), [TOOL]);
  assert.equal(a.prefill.tools!.uri, "");
  assert.equal(a.toolsUri, "file:///w/a.tools.json");
  assert.equal(a.prefill.query, "q");
  assert.deepEqual(JSON.parse(toPrefill({ groundTruth: '[{"name":"f","arguments":{"a":1}}]' }).prefill.groundTruth!), [{ name: "f", arguments: { a: 1 } }]);
  // not JSON: kept as typed, so the panel can say what is wrong
  assert.equal(toPrefill({ groundTruth: "[oops" }).prefill.groundTruth, "[oops");
  // unknown shapes are ignored
  assert.deepEqual(toPrefill(42).prefill, {});
  assert.deepEqual(toPrefill({ completion: 3, tools: "x" }).prefill, {});
});

test("openPreview args: a dataset sample gives tools, the last user message and the answer", () => {
  const sample = { tools: [TOOL], messages: [{ role: "user", content: "first" }, { role: "assistant", content: "..." }, { role: "user", content: "weather in Paris?" }], answer: [{ name: "get_weather", arguments: { city: "Paris" } }] };
  const { prefill } = toPrefill({ sample });
  assert.equal(prefill.query, "weather in Paris?");
  assert.deepEqual(JSON.parse(prefill.groundTruth!), sample.answer);
  assert.deepEqual(JSON.parse(prefill.tools!.text), [TOOL]);
});

test("prefill from a JSONL line: Tool-N1 rollout, verl rollout, dataset sample, garbage", () => {
  const rollout = { v: 1, step: 1, prompt_id: "p", group_index: 0, completion: "<think>a</think>", ground_truth: [{ name: "f", arguments: {} }], reward: 1 };
  const p1 = prefillFromLine(JSON.stringify(rollout))!;
  assert.equal(p1.completion, "<think>a</think>");
  assert.deepEqual(JSON.parse(p1.groundTruth!), rollout.ground_truth);
  const p2 = prefillFromLine(JSON.stringify({ input: "i", output: "o", gts: '[{"name":"g","arguments":{}}]', score: 0, step: 3 }))!;
  assert.equal(p2.completion, "o");
  assert.deepEqual(JSON.parse(p2.groundTruth!), [{ name: "g", arguments: {} }]);
  const p3 = prefillFromLine(JSON.stringify({ tools: [TOOL], messages: [{ role: "user", content: "hi" }], answer: [] }))!;
  assert.equal(p3.query, "hi");
  assert.equal(prefillFromLine("not json"), null);
  assert.equal(prefillFromLine("[1,2]"), null);
  assert.equal(prefillFromLine('{"unrelated": true}'), null);
});

test("the Try prompt is the training template's rendering of the query with the schema file's tools", () => {
  const file = JSON.stringify({ tools: [TOOL] });
  const p = buildTryPrompt(file, "What is the weather in Paris?");
  const expected = renderPrompt({ tools: [TOOL], messages: [{ role: "user", content: "What is the weather in Paris?" }], answer: [] });
  assert.equal(p.text, expected);
  assert.ok(p.text.endsWith("<|im_start|>assistant\n"));
  assert.match(p.text, /"name": "get_weather"/);
  assert.deepEqual(p.notes, []);
  assert.equal(p.messages[p.messages.length - 1].content, "What is the weather in Paris?");
  // comments and trailing commas are fine in a .tools.json file
  assert.equal(buildTryPrompt(`// tools\n[${JSON.stringify(TOOL)},]`, "q").notes.length, 0);
  assert.match(buildTryPrompt(null, "q").notes[0], /No tool schema/);
  assert.match(buildTryPrompt("[ {", "q").notes[0], /not valid JSON/);
});

test("the panel's CSP: nonce'd scripts only, no eval, workers from blob:, inline styles for Monaco", () => {
  const csp = webviewCsp({ cspSource: "https://x.vscode-cdn.net", nonce: "abc", inlineStyles: true, blobWorkers: true });
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'nonce-abc'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-eval/);
  assert.match(csp, /worker-src blob:/);
  assert.match(csp, /style-src https:\/\/x\.vscode-cdn\.net 'unsafe-inline'/);
  const html = previewHtml("https://x", "abc", (f) => `https://x/${f}?"<`);
  assert.doesNotMatch(html, /\?"</);
  assert.match(html, /<script nonce="abc" src="https:\/\/x\/preview\.js\?&#34;&#60;"><\/script>/);
  assert.match(html, / data-json-worker="https:\/\/x\/json\.worker\.js\?&#34;&#60;"/);
});

test("every webview page: a strict CSP by default, escaped attributes and title, a fresh nonce each time", () => {
  const csp = webviewCsp({ cspSource: "https://x", nonce: "n1" });
  assert.match(csp, /^default-src 'none'; script-src 'nonce-n1';/);
  assert.doesNotMatch(csp, /unsafe-inline|worker-src|connect-src|unsafe-eval/);
  const html = webviewHtml({ cspSource: "https://x", nonce: "n1", title: `<b>"run"</b>`, script: "https://x/a.js", styles: ["https://x/a.css"] });
  assert.match(html, /<title>&#60;b&#62;&#34;run&#34;&#60;\/b&#62;<\/title>/);
  assert.match(html, /<link rel="stylesheet" href="https:\/\/x\/a\.css">/);
  const a = makeNonce();
  assert.match(a, /^[0-9a-f]{32}$/);
  assert.notEqual(a, makeNonce());
});
