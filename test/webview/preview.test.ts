/**
 * The preview webview in headless Chromium, served with the panel's own HTML and CSP: Monaco
 * loads with its workers and no CSP violation; typing updates reasoning, calls, parse-error
 * markers and the four rewards; the schema check follows schema updates; a streamed generation
 * fills the editor; model text never becomes HTML.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { focusOutputEnd, init, openPreview, previewBuilt, revision, send, sent, waitRevision, type PreviewPage } from "./previewPage";

// page.evaluate callbacks run in the browser; this file is type-checked without the DOM library.
interface BrowserEl {
  dataset: Record<string, string | undefined>;
  getAttribute(name: string): string | null;
}
declare const document: { body: BrowserEl; querySelector(s: string): BrowserEl | null; querySelectorAll(s: string): Iterable<BrowserEl> };
declare const sessionStorage: { getItem(k: string): string | null };

const skip = previewBuilt() ? false : "dist/webview/preview.js is missing: run node scripts/build.mjs";

const TOOLS = [
  {
    type: "function",
    function: {
      name: "get_weather",
      description: "Weather for a city",
      parameters: { type: "object", properties: { city: { type: "string" }, unit: { type: "string", enum: ["c", "f"] } }, required: ["city"] },
    },
  },
];
const GOOD = '<think>The user wants the weather in Paris.</think>\n<tool_call>[{"name": "get_weather", "arguments": {"city": "Paris"}}]</tool_call>';
const GT = '[{"name": "get_weather", "arguments": {"city": "Paris"}}]';

let pp: PreviewPage;
let page: Page;

before(async () => {
  if (skip) return;
  pp = await openPreview();
  page = pp.page;
  await init(page, { tools: { uri: "", label: "tools of the sample", text: JSON.stringify(TOOLS) } });
});
after(async () => {
  await pp?.close();
});

const text = (sel: string) => page.locator(sel).innerText();
async function rewards(): Promise<Record<string, { reward: string; reason: string }>> {
  return page.evaluate(() => {
    const out: Record<string, { reward: string; reason: string }> = {};
    for (const tr of document.querySelectorAll("#rewards tr[data-variant]")) out[tr.dataset.variant!] = { reward: tr.dataset.reward!, reason: tr.dataset.reason! };
    return out;
  });
}
async function prefill(p: { completion?: string; groundTruth?: string }): Promise<void> {
  const r = await revision(page);
  await send(page, { type: "prefill", prefill: p });
  await waitRevision(page, r);
}

test("handshake: ready first, Monaco and its workers load under the CSP without violations", { skip }, async () => {
  const msgs = await sent(page);
  assert.equal(msgs[0].type, "ready");
  await page.waitForSelector("#output-editor .monaco-editor");
  // the JSON worker runs: an error in the ground-truth editor gets Monaco's own JSON diagnostics
  await prefill({ groundTruth: "[ {" });
  await page.waitForSelector("#gt-editor .squiggly-error");
  assert.deepEqual(await page.evaluate(() => (globalThis as unknown as { __cspViolations: string[] }).__cspViolations), []);
});

test("typing an output updates reasoning, calls and all four rewards", { skip }, async () => {
  await prefill({ completion: "", groundTruth: GT });
  await focusOutputEnd(page);
  const before = await revision(page);
  await page.keyboard.insertText(GOOD.slice(0, -5));
  await page.keyboard.type("call>");
  await waitRevision(page, before);
  await page.waitForFunction(() => document.querySelector("#reward-binary")?.getAttribute("data-reward") === "1");
  assert.equal(await text("#reasoning"), "The user wants the weather in Paris.");
  assert.match(await text("#calls"), /get_weather/);
  assert.match(await text("#calls"), /valid against the schema/);
  const r = await rewards();
  assert.deepEqual(Object.keys(r).sort(), ["binary", "fine-grained", "no-format", "official"]);
  for (const v of Object.values(r)) assert.deepEqual(v, { reward: "1", reason: "ok" });
  // one more keystroke that breaks the argument value: the rewards follow it
  await page.keyboard.press("Control+End");
  const rev = await revision(page);
  for (let i = 0; i < "Paris\"}}]</tool_call>".length - 4; i++) await page.keyboard.press("ArrowLeft");
  await page.keyboard.type("X");
  await waitRevision(page, rev);
  const r2 = await rewards();
  assert.equal(r2.binary.reward, "0");
  assert.equal(r2.binary.reason, "wrong_argument_value");
  assert.equal(r2["fine-grained"].reward, "0.4");
});

test("parse errors are underlined in the editor at their offsets and listed", { skip }, async () => {
  await prefill({ completion: '<think>ok</think>\n<tool_call>[{"name": "get_weather", "arguments": {"city": "Paris"}}]', groundTruth: GT });
  await page.waitForSelector("#output-editor .squiggly-error");
  assert.match(await text("#errors"), /unclosed_tool_call/);
  assert.equal((await rewards()).binary.reason, "unclosed_tool_call");
  await prefill({ completion: "<think>ok</think>\n<tool_call>{not json}</tool_call>" });
  assert.match(await text("#errors"), /bad_json/);
  await prefill({ completion: GOOD });
  await page.waitForFunction(() => !document.querySelector("#output-editor .squiggly-error"));
  assert.equal(await text("#errors"), "none");
});

test("calls are checked against the schema, and a schema update is followed", { skip }, async () => {
  await prefill({ completion: '<think>t</think><tool_call>[{"name": "get_weather", "arguments": {"city": "Paris", "unit": "kelvin"}}]</tool_call>' });
  assert.match(await text("#calls"), /enum_violation/);
  await page.waitForSelector("#output-editor .squiggly-warning");
  // the schema file changes: "unit" now allows kelvin
  const tools2 = structuredClone(TOOLS);
  (tools2[0].function.parameters.properties.unit as { enum: string[] }).enum.push("kelvin");
  let r = await revision(page);
  await send(page, { type: "schema", tools: { uri: "file:///w/weather.tools.json", label: "weather.tools.json", text: JSON.stringify(tools2) } });
  r = await waitRevision(page, r);
  assert.match(await text("#calls"), /valid against the schema/);
  assert.match(await text("#schema-label"), /1 tool/);
  // a broken schema file says so instead of checking
  await send(page, { type: "schema", tools: { uri: "file:///w/weather.tools.json", label: "weather.tools.json", text: "[ { oops" } });
  await waitRevision(page, r);
  assert.match(await text("#schema-problems"), /not valid JSON/);
  assert.match(await text("#calls"), /not checked/);
  await send(page, { type: "schema", tools: { uri: "", label: "tools of the sample", text: JSON.stringify(TOOLS) } });
});

test("a streamed generation fills the editor read-only, then is parsed and scored", { skip }, async () => {
  await prefill({ completion: "", groundTruth: GT });
  await send(page, { type: "genStarted", promptText: "<|im_start|>user\nweather?<|im_end|>\n<|im_start|>assistant\n", promptTokens: 9 });
  await page.waitForSelector("body[data-generating='true']");
  assert.equal(await page.locator("#stop").isDisabled(), false);
  const chunks = ["<think>The user", " wants the weather in Paris.</think>\n<tool_", 'call>[{"name": "get_weather", ', '"arguments": {"city": "Paris"}}]</tool_call>'];
  for (const c of chunks) await send(page, { type: "genText", text: c });
  await page.waitForFunction(() => document.querySelector("#reward-binary")?.getAttribute("data-reward") === "1");
  await send(page, { type: "genDone", text: chunks.join(""), summary: { stopReason: "eos", tokens: 30, promptTokens: 9, tokensPerSecond: 120, totalMs: 250 } });
  await page.waitForSelector("body[data-generating='false']");
  assert.equal(await page.locator("#generate").isDisabled(), false);
  assert.match(await text("#gen-status"), /30 tokens/);
  assert.match((await page.locator("#prompt-text").textContent()) ?? "", /weather\?/);
  // Generate and Stop post to the host
  await page.click("#generate");
  await page.waitForFunction(() => (globalThis as unknown as { __sent: { type: string }[] }).__sent.some((m) => m.type === "generate"));
  await send(page, { type: "genError", message: "No model is loaded: choose an exported checkpoint folder first." });
  assert.match(await text("#gen-error"), /choose an exported checkpoint/);
});

test("a generation replaces a previous sample's output: the editor and the panels show the generated text only, as it streams", { skip }, async () => {
  const previous = '<think>The user needs convert_currency.</think>\n<tool_call>[{"name": "convert_currency", "arguments": {"amount": 5}}, {"name": "email", "arguments": {"to": "Bob"}}]</tool_call>';
  await prefill({ completion: previous, groundTruth: GT });
  assert.match(await text("#calls"), /convert_currency/);
  const callNames = () => page.locator("#calls .call-name").allInnerTexts();
  const shows = async (length: number) => {
    await page.waitForFunction((n) => document.body.dataset.textLength === String(n), length);
    return { calls: await callNames(), reasoning: await text("#reasoning") };
  };
  await send(page, { type: "genStarted", promptText: "<|im_start|>user\nweather?<|im_end|>\n<|im_start|>assistant\n", promptTokens: 9 });
  // at the start: an empty editor, and nothing left of the previous sample in the panels
  assert.deepEqual(await shows(0), { calls: [], reasoning: "no <think>…</think> block" });
  const chunks = ["<think>The user wants", " Paris.</think>\n<tool_call>[", '{"name": "get_weather", "arguments": {"city": "Paris"}}', "]</tool_call>"];
  let sofar = "";
  for (const c of chunks) {
    await send(page, { type: "genText", text: c });
    sofar += c;
    const now = await shows(sofar.length);
    assert.doesNotMatch(JSON.stringify(now), /convert_currency|email/, `after ${JSON.stringify(sofar)}`);
  }
  assert.deepEqual(await shows(sofar.length), { calls: ["get_weather"], reasoning: "The user wants Paris." });
  await send(page, { type: "genDone", text: sofar, summary: { stopReason: "eos", tokens: 20, promptTokens: 9, tokensPerSecond: 100, totalMs: 200 } });
  await page.waitForSelector("body[data-generating='false']");
  assert.equal(await page.evaluate(() => document.body.dataset.genStreamed), "true", "the streamed pieces built the generated text");
  assert.equal(await page.evaluate(() => document.body.dataset.genLength), String(sofar.length));
  await page.waitForFunction((t) => JSON.parse(sessionStorage.getItem("vscode-state") ?? "{}").completion === t, sofar);
  // a final text that differs from what streamed in (a piece lost) replaces it, and says so
  await send(page, { type: "genStarted", promptText: "p", promptTokens: 1 });
  await send(page, { type: "genText", text: "<think>a" });
  await send(page, { type: "genDone", text: "<think>ab</think>", summary: { stopReason: "eos", tokens: 3, promptTokens: 1, tokensPerSecond: 100, totalMs: 30 } });
  await page.waitForSelector("body[data-generating='false']");
  assert.equal(await page.evaluate(() => document.body.dataset.genStreamed), "false");
  assert.deepEqual(await shows("<think>ab</think>".length), { calls: [], reasoning: "ab" });
});

test("model text is only ever text: markup in the output executes nothing and creates no elements", { skip }, async () => {
  const evil =
    '<think><img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>[x](command:workbench.action.quit)</think>' +
    '<tool_call>[{"name": "<img src=x onerror=window.__pwned=3>", "arguments": {"city": "</pre><script>window.__pwned=4</script>"}}]</tool_call>';
  await prefill({ completion: evil });
  assert.equal(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned), undefined);
  assert.equal(await page.locator("#right img, #right script, #right a, #left img, #left a").count(), 0);
  assert.match(await text("#reasoning"), /<script>window.__pwned=2<\/script>/);
  assert.match(await text("#calls"), /<img src=x onerror=window.__pwned=3>/);
});

test("state survives a reload (getState), and the reload asks the host again", { skip }, async () => {
  await prefill({ completion: GOOD, groundTruth: GT });
  await page.waitForFunction((good) => JSON.parse(sessionStorage.getItem("vscode-state") ?? "{}").completion === good, GOOD);
  await page.reload();
  await init(page, { tools: { uri: "", label: "tools of the sample", text: JSON.stringify(TOOLS) } });
  const ready = (await sent(page)).find((m) => m.type === "ready") as unknown as { state: { completion: string } };
  assert.equal(ready.state.completion, GOOD);
  await page.waitForFunction(() => document.querySelector("#reward-binary")?.getAttribute("data-reward") === "1");
  assert.equal(await text("#reasoning"), "The user wants the weather in Paris.");
});

test("at 500 px wide the panels stack: the reward table keeps its columns readable and nothing overlaps", { skip }, async () => {
  await prefill({ completion: GOOD, groundTruth: GT });
  await page.setViewportSize({ width: 500, height: 800 });
  try {
    await page.waitForFunction(() => document.querySelector("#reward-binary")?.getAttribute("data-reward") === "1");
    type Box = { top: number; bottom: number; width: number };
    type E = { textContent: string | null; scrollWidth: number; getBoundingClientRect(): Box };
    type D = { document: { querySelector(s: string): E; querySelectorAll(s: string): Iterable<E>; documentElement: E } };
    const m = await page.evaluate(() => {
      const d = (globalThis as unknown as D).document;
      const box = (s: string) => {
        const r = d.querySelector(s).getBoundingClientRect();
        return { top: r.top, bottom: r.bottom, width: r.width };
      };
      const th = [...d.querySelectorAll("#rewards th")].map((e) => ({ text: e.textContent, w: e.getBoundingClientRect().width, need: e.scrollWidth }));
      return { left: box("#left"), right: box("#right"), table: box("#rewards"), th, docWidth: d.documentElement.scrollWidth };
    });
    assert.ok(m.right.top >= m.left.bottom - 1, `the analysis starts below the editor (left ends ${m.left.bottom}, right starts ${m.right.top})`);
    assert.ok(m.table.width >= 440, `the reward table spans the panel (${m.table.width} px)`);
    for (const c of m.th) assert.ok(c.w + 1 >= c.need, `column "${c.text}" is squashed (${c.w} < ${c.need} px)`);
    assert.ok(m.docWidth <= 500, `no sideways scrolling (${m.docWidth} px)`);
    await page.screenshot({ path: `${__dirname}/../../../test-output/webview/preview-500px.png`, fullPage: true });
  } finally {
    await page.setViewportSize({ width: 1400, height: 900 });
  }
});
