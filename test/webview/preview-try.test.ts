/**
 * "Try a model" end to end without VS Code: the real webview in headless Chromium, the host side's
 * TryRunner and the real generation worker running a tiny model built and exported with the
 * trainer's commands. Generate streams tokens into Monaco and the result is parsed and scored;
 * Stop cancels a long generation; an error reaches the panel as text.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { ROOT, init, openPreview, previewBuilt, send, type PreviewPage } from "./previewPage";
import { InferenceClient } from "../../src/inference/client";
import { TryRunner } from "../../src/preview/tryRunner";
import type { HostToWebview, WebviewToHost } from "../../common/preview/protocol";
import { scoreCompletion } from "../../src/core/reward";
import { parseToolCalls } from "../../src/core/toolcall";
import { REWARD_VARIANTS } from "../../src/core/types";

// page callbacks run in the browser; this file is type-checked without the DOM library
declare const document: { body: { dataset: Record<string, string | undefined> } };
declare const sessionStorage: { getItem(k: string): string | null };

const python = join(ROOT, ".venv/bin/python");
const skip = !existsSync(python) ? "needs .venv (make venv) to build and export the tiny model" : !previewBuilt() ? "run node scripts/build.mjs first" : false;

const PY = String.raw`
import subprocess, sys, torch
from transformers import AutoModelForCausalLM
work = sys.argv[1]
run = lambda *a: subprocess.run([sys.executable, "-m", "tooln1", *a], check=True, capture_output=True, text=True)
run("make-tiny-model", "--out", work + "/ckpt", "--seed", "5")
m = AutoModelForCausalLM.from_pretrained(work + "/ckpt")
g = torch.Generator().manual_seed(3)
with torch.no_grad():
    for n, p in m.named_parameters():
        if p.dim() >= 2: p.copy_(torch.randn(p.shape, generator=g) * 0.15)
m.save_pretrained(work + "/ckpt")
run("export-onnx", "--checkpoint", work + "/ckpt", "--out", work + "/onnx", "--no-verify")
`;
const TOOLS = [{ name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } }];

let work = "";
let pp: PreviewPage;
let page: Page;
let client: InferenceClient;
let runner: TryRunner;
const runs: Promise<void>[] = [];
/** every message the host side sent to the webview, in order */
const hostSent: HostToWebview[] = [];

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), "tooln1-try-"));
  const r = spawnSync(python, ["-c", PY, work], { encoding: "utf8", env: { ...process.env, HF_HUB_OFFLINE: "1" } });
  assert.equal(r.status, 0, `building the tiny model failed:\n${r.stderr}`);
  client = new InferenceClient(join(ROOT, "dist/generate.worker.js"));
  const loaded = await client.load(join(work, "onnx"), "cpu");
  // the host's side of the protocol, as src/preview/panel.ts wires it
  const toHost = (m: WebviewToHost) => {
    if (m.type === "generate") runs.push(runner.run(JSON.stringify(TOOLS), m.query, m.sampling));
    if (m.type === "stop") runner.stop();
  };
  pp = await openPreview(undefined, toHost);
  page = pp.page;
  runner = new TryRunner(client, (m) => {
    hostSent.push(m);
    void send(page, m);
  });
  await init(page, { tools: { uri: "", label: "tools", text: JSON.stringify(TOOLS) }, checkpoint: { dir: loaded.dir, provider: loaded.provider, hasChatTemplate: loaded.hasChatTemplate } });
});

after(async () => {
  await Promise.allSettled(runs);
  await pp?.close();
  await client?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function setInput(id: string, value: string): Promise<void> {
  await page.fill(`#${id}`, value);
  await page.dispatchEvent(`#${id}`, "change");
}

/** The editor's text once the webview has saved it and the panels show that same text. */
async function savedOutput(): Promise<string> {
  await page.waitForFunction(() => document.body.dataset.savedVersion !== undefined && document.body.dataset.savedVersion === document.body.dataset.textVersion);
  return page.evaluate(() => JSON.parse(sessionStorage.getItem("vscode-state") ?? "{}").completion as string);
}

test("Generate streams the model's tokens into the editor, then the output is parsed and scored", { skip }, async () => {
  assert.equal(await page.evaluate(() => document.body.dataset.checkpoint), "loaded");
  await page.fill("#query", "What is the weather in Paris?");
  await setInput("max-tokens", "40");
  await setInput("temperature", "0");
  await page.click("#generate");
  await page.waitForSelector("body[data-gen-stop]");
  assert.equal(await page.evaluate(() => document.body.dataset.genStop), "length");
  assert.match(await page.locator("#gen-status").innerText(), /^40 tokens/);
  // the prompt is the training template with the tools of the schema
  const prompt = (await page.locator("#prompt-text").textContent()) ?? "";
  assert.match(prompt, /<tools>\n\{"type": "function", "function": \{"name": "get_weather"/);
  assert.ok(prompt.endsWith("What is the weather in Paris?<|im_end|>\n<|im_start|>assistant\n"));
  // the editor holds the generated text (the webview saves it), and it was scored like typed text
  // state saves are debounced: wait until the saved text is the text the panels show
  await page.waitForFunction(() => document.body.dataset.savedVersion !== undefined && document.body.dataset.savedVersion === document.body.dataset.textVersion);
  await page.waitForFunction(() => (JSON.parse(sessionStorage.getItem("vscode-state") ?? "{}").completion ?? "").length > 0);
  const first = await page.evaluate(() => JSON.parse(sessionStorage.getItem("vscode-state") ?? "{}").completion as string);
  for (const v of REWARD_VARIANTS) {
    const want = scoreCompletion(first, [], v);
    // the panels follow the editor's last revision; wait for them to show the final text's verdict
    const shown = await page
      .waitForFunction(
        ([variant, reason, reward]) => {
          const doc = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null } }).document;
          const row = doc.querySelector(`#reward-${variant}`);
          return row?.getAttribute("data-reason") === reason && row?.getAttribute("data-reward") === reward;
        },
        [v, want.reason, String(want.reward)] as const,
        { timeout: 10_000 },
      )
      .then(() => true, () => false);
    const row = page.locator(`#reward-${v}`);
    assert.ok(shown, `${v}: panel shows ${await row.getAttribute("data-reason")}/${await row.getAttribute("data-reward")}, scorer says ${want.reason}/${want.reward}`);
  }
  // greedy decoding is deterministic: the same request gives the same text
  await page.evaluate(() => delete document.body.dataset.genStop);
  await page.click("#generate");
  await page.waitForSelector("body[data-gen-stop='length']");
  await page.waitForFunction((t) => JSON.parse(sessionStorage.getItem("vscode-state") ?? "{}").completion === t, first);
});

test("Generate replaces a previous sample's output: the editor holds exactly the generated text, the panels show its calls only", { skip }, async () => {
  // a previous sample (the inspector or a dataset line) left an output with its own calls
  const previous = '<think>Previous sample.</think>\n<tool_call>[{"name": "previous_sample_tool", "arguments": {"x": 1}}]</tool_call>';
  await send(page, { type: "prefill", prefill: { completion: previous } });
  await page.locator("#calls .call-name", { hasText: "previous_sample_tool" }).waitFor();
  await page.evaluate(() => delete document.body.dataset.genStop);
  hostSent.length = 0;
  await page.fill("#query", "What is the weather in Paris?");
  await setInput("max-tokens", "24");
  // sampled, as the end-to-end scenario does (the random tiny model's greedy choice is a newline)
  await setInput("temperature", "1");
  await setInput("seed", "7");
  await page.click("#generate");
  await page.waitForSelector("body[data-gen-stop]");
  assert.equal(await page.evaluate(() => document.body.dataset.genStop), "length");
  const done = hostSent.find((m): m is Extract<HostToWebview, { type: "genDone" }> => m.type === "genDone");
  assert.ok(done, "no genDone was sent");
  assert.ok(done.text.length > 0);
  // the streamed pieces alone built the generated text in the editor, nothing before or after it
  assert.equal(hostSent.flatMap((m) => (m.type === "genText" ? [m.text] : [])).join(""), done.text);
  assert.equal(await page.evaluate(() => document.body.dataset.genStreamed), "true");
  assert.equal(await savedOutput(), done.text, "the editor holds exactly the generated text");
  // the panels show what the core parser finds in the generated text, nothing of the previous sample
  const parsed = parseToolCalls(done.text);
  assert.deepEqual(await page.locator("#calls .call-name").allInnerTexts(), parsed.calls.map((c) => c.name));
  assert.equal(await page.locator("#reasoning").innerText(), parsed.reasoning ? parsed.reasoning.text : "no <think>…</think> block");
  assert.doesNotMatch(await page.locator("#right").innerText(), /previous_sample_tool|Previous sample/);
});

test("Stop cancels a long generation mid-way", { skip }, async () => {
  await page.evaluate(() => delete document.body.dataset.genStop);
  await setInput("max-tokens", "100000");
  await setInput("temperature", "0");
  await page.click("#generate");
  await page.waitForSelector("body[data-generating='true']");
  // wait until text has streamed in, then press Stop
  await page.waitForFunction(() => Number(document.body.dataset.revision) > 0 && (document.body.dataset.generating === "true"));
  await page.waitForFunction(() => {
    const lines = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document.querySelector("#output-editor .view-lines");
    return (lines?.textContent ?? "").length > 20;
  });
  await page.click("#stop");
  await page.waitForSelector("body[data-gen-stop]");
  assert.equal(await page.evaluate(() => document.body.dataset.genStop), "cancelled");
  assert.match(await page.locator("#gen-status").innerText(), /stopped: cancelled/);
  assert.equal(await page.locator("#generate").isDisabled(), false);
});

test("an empty query is refused with a message", { skip }, async () => {
  await page.fill("#query", "  ");
  await page.click("#generate");
  await page.waitForFunction(() => document.body.dataset.genStop === "error");
  assert.match(await page.locator("#gen-error").innerText(), /Write a user query/);
});
