/**
 * Local inference end to end: a tiny Qwen2 model is built and exported with the trainer's own
 * commands (`python -m tooln1 make-tiny-model`, `export-onnx`) into a temp folder; onnxruntime-node
 * in the generation worker must produce the same greedy tokens as PyTorch for the same prompt.
 * Also: streaming, seeded sampling, cancel mid-generation, missing and corrupt model files.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { InferenceClient, InferenceError } from "../../src/inference/client";

const root = resolve(__dirname, "../../..");
const python = join(root, ".venv/bin/python");
const workerPath = join(root, "dist/generate.worker.js");
const haveVenv = existsSync(python);
const skip = haveVenv ? false : "needs .venv (make venv) to build and export the tiny model";

const PROMPT =
  "<|im_start|>system\nYou are an expert in composing functions.<|im_end|>\n" +
  "<|im_start|>user\nWhat is the weather in Paris? Convert 20 USD to EUR.<|im_end|>\n<|im_start|>assistant\n";
const MAX_NEW = 32;

// Builds, perturbs (so greedy decoding does not collapse onto one token), exports, and prints the
// PyTorch reference: the prompt's token ids and the greedy continuation through the KV cache.
const PY = String.raw`
import json, subprocess, sys, torch
from transformers import AutoModelForCausalLM
from tooln1.train import load_tokenizer
work, prompt, max_new = sys.argv[1], sys.argv[2], int(sys.argv[3])
ckpt, out = work + "/ckpt", work + "/onnx"
run = lambda *a: subprocess.run([sys.executable, "-m", "tooln1", *a], check=True, capture_output=True, text=True)
run("make-tiny-model", "--out", ckpt, "--seed", "3")
m = AutoModelForCausalLM.from_pretrained(ckpt, attn_implementation="eager").eval()
g = torch.Generator().manual_seed(7)
with torch.no_grad():
    for n, p in m.named_parameters():
        if p.dim() >= 2: p.copy_(torch.randn(p.shape, generator=g) * 0.15)
m.save_pretrained(ckpt)
run("export-onnx", "--checkpoint", ckpt, "--out", out)
tok = load_tokenizer(ckpt)  # what the trainer tokenizes with (faithful to tokenizer.json)
ids = tok(prompt, add_special_tokens=False)["input_ids"]
eos = {m.config.eos_token_id}
past, step, new = None, torch.tensor([ids]), []
with torch.no_grad():
    for _ in range(max_new):
        o = m(input_ids=step, past_key_values=past, use_cache=True)
        past = o.past_key_values
        nxt = int(o.logits[0, -1].argmax())
        if nxt in eos: break
        new.append(nxt)
        step = torch.tensor([[nxt]])
print(json.dumps({"prompt_ids": ids, "greedy": new}))
`;

let work = "";
let onnxDir = "";
let ref: { prompt_ids: number[]; greedy: number[] } = { prompt_ids: [], greedy: [] };
let client: InferenceClient;

before(() => {
  if (!haveVenv) return;
  assert.ok(existsSync(workerPath), "dist/generate.worker.js is missing: run node scripts/build.mjs");
  work = mkdtempSync(join(tmpdir(), "tooln1-infer-"));
  const r = spawnSync(python, ["-c", PY, work, PROMPT, String(MAX_NEW)], { encoding: "utf8", env: { ...process.env, HF_HUB_OFFLINE: "1" } });
  assert.equal(r.status, 0, `building the tiny model failed:\n${r.stderr}`);
  ref = JSON.parse(r.stdout.trim().split("\n").pop()!);
  onnxDir = join(work, "onnx");
  client = new InferenceClient(workerPath);
});

after(async () => {
  await client?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

test("greedy tokens equal PyTorch's for the same prompt, streamed text equals the final text", { skip }, async () => {
  const loaded = await client.load(onnxDir, "cpu");
  assert.equal(loaded.provider, "cpu");
  assert.equal(loaded.hasChatTemplate, true);
  assert.ok(ref.greedy.length >= 8, `reference too short to mean anything: ${ref.greedy}`);
  assert.ok(new Set(ref.greedy).size > 2, "the reference continuation should not be one repeated token");
  let streamed = "";
  const tokens: number[] = [];
  const h = client.generate({ text: PROMPT }, { maxNewTokens: MAX_NEW, temperature: 0, topP: 1, seed: 0 }, (id, text) => {
    tokens.push(id);
    streamed += text;
  });
  const started = await h.started;
  assert.equal(started.promptTokens, ref.prompt_ids.length, "tokenizer.json (tokenizers.js) must tokenize the prompt like the trainer");
  const r = await h.result;
  assert.deepEqual(r.tokenIds, ref.greedy);
  assert.deepEqual(tokens, ref.greedy);
  assert.equal(streamed, r.text);
  assert.equal(r.stopReason, ref.greedy.length < MAX_NEW ? "eos" : "length");
  // the same ids, given directly, give the same tokens
  const r2 = await client.generate({ ids: ref.prompt_ids }, { maxNewTokens: MAX_NEW, temperature: 0, topP: 1, seed: 0 }).result;
  assert.deepEqual(r2.tokenIds, ref.greedy);
});

test("chat messages are rendered with the checkpoint's chat template (jinja)", { skip }, async () => {
  await client.load(onnxDir, "cpu");
  const messages = [
    { role: "system", content: "You are an expert in composing functions." },
    { role: "user", content: "What is the weather in Paris? Convert 20 USD to EUR." },
  ];
  const h = client.generate({ messages }, { maxNewTokens: 4, temperature: 0, topP: 1, seed: 0 });
  assert.equal((await h.started).promptText, PROMPT);
  assert.deepEqual((await h.result).tokenIds, ref.greedy.slice(0, 4));
  // a training-template text that disagrees with the chat template is used, with a note
  const h2 = client.generate({ messages, text: PROMPT + "x" }, { maxNewTokens: 1, temperature: 0, topP: 1, seed: 0 });
  const s2 = await h2.started;
  assert.equal(s2.promptText, PROMPT + "x");
  assert.match(s2.note ?? "", /differently/);
  await h2.result;
});

test("sampling is reproducible for a seed and differs across seeds", { skip }, async () => {
  await client.load(onnxDir, "cpu");
  const opts = { maxNewTokens: 24, temperature: 1.0, topP: 0.9, seed: 11, ignoreEos: true };
  const a = await client.generate({ text: PROMPT }, opts).result;
  const b = await client.generate({ text: PROMPT }, opts).result;
  const c = await client.generate({ text: PROMPT }, { ...opts, seed: 12 }).result;
  assert.deepEqual(a.tokenIds, b.tokenIds);
  assert.equal(a.tokenIds.length, 24);
  assert.notDeepEqual(a.tokenIds, c.tokenIds);
});

test("cancel stops a long generation mid-way and the worker stays usable", { skip }, async () => {
  await client.load(onnxDir, "cpu");
  let seen = 0;
  const h = client.generate({ text: PROMPT }, { maxNewTokens: 100000, temperature: 0, topP: 1, seed: 0, ignoreEos: true }, () => {
    if (++seen === 5) h.cancel();
  });
  const r = await h.result;
  assert.equal(r.stopReason, "cancelled");
  assert.ok(r.tokenIds.length >= 5 && r.tokenIds.length < 1000, `stopped after ${r.tokenIds.length} tokens`);
  const again = await client.generate({ text: PROMPT }, { maxNewTokens: 3, temperature: 0, topP: 1, seed: 0 }).result;
  assert.deepEqual(again.tokenIds, ref.greedy.slice(0, 3));
});

test("a missing model file is a clear checkpoint error, not a crash", { skip }, async () => {
  const dir = join(work, "no-model");
  mkdirSync(dir);
  for (const f of readdirSync(onnxDir)) if (f !== "model.onnx") copyFileSync(join(onnxDir, f), join(dir, f));
  await assert.rejects(client.load(dir, "cpu"), (e: unknown) => {
    assert.ok(e instanceof InferenceError);
    assert.equal(e.kind, "checkpoint");
    assert.match(e.message, /model\.onnx is missing/);
    assert.match(e.message, /export-onnx/);
    return true;
  });
  await assert.rejects(client.load(join(work, "does-not-exist"), "cpu"), /is not a folder/);
  // generating without a loaded model says what to do
  await assert.rejects(client.generate({ text: "x" }, { maxNewTokens: 1, temperature: 0, topP: 1, seed: 0 }).result, /choose an exported checkpoint/);
});

test("a corrupt model file or tokenizer is a clear error and the next load works", { skip }, async () => {
  const dir = join(work, "corrupt");
  mkdirSync(dir);
  for (const f of readdirSync(onnxDir)) copyFileSync(join(onnxDir, f), join(dir, f));
  writeFileSync(join(dir, "model.onnx"), Buffer.from("this is not an onnx model, it was cut short"));
  await assert.rejects(client.load(dir, "cpu"), (e: unknown) => {
    assert.ok(e instanceof InferenceError);
    assert.equal(e.kind, "checkpoint");
    assert.match(e.message, /onnxruntime could not load .*model\.onnx.*re-export/i);
    return true;
  });
  copyFileSync(join(onnxDir, "model.onnx"), join(dir, "model.onnx"));
  writeFileSync(join(dir, "tooln1-export.json"), "{ not json");
  await assert.rejects(client.load(dir, "cpu"), /tooln1-export\.json .* is not valid JSON/);
  const ok = await client.load(onnxDir, "cpu");
  assert.equal(ok.dir, onnxDir);
});

test("CUDA requested on a machine without it falls back to CPU with a note", { skip }, async () => {
  const m = await client.load(onnxDir, "cuda");
  if (existsSync("/proc/driver/nvidia/version") && m.provider === "cuda") return; // a GPU machine with the CUDA provider
  assert.equal(m.provider, "cpu");
  assert.match(m.providerNote ?? "", /CUDA/);
});
