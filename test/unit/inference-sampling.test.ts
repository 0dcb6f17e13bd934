/** Pure parts of local inference: token selection, streaming detokenization, checkpoint checks. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { argmax, sampleToken, seededRandom } from "../../src/inference/sampling";
import { StreamDecoder } from "../../src/inference/detokenize";
import { CheckpointError, readCheckpoint } from "../../src/inference/checkpoint";

test("argmax picks the first maximum, within the given row", () => {
  assert.equal(argmax(new Float32Array([0, 3, 3, 1])), 1);
  assert.equal(argmax(new Float32Array([9, 9, 0, 1, 5, 5]), 2, 4), 2);
  assert.equal(argmax(new Float32Array([-Infinity, -5])), 1);
});

test("temperature 0 is greedy; sampling is seeded; top-p keeps only the nucleus", () => {
  const row = new Float32Array([0, 5, 4.9, -3, 1]);
  assert.equal(sampleToken(row, { temperature: 0, topP: 1 }, seededRandom(1)), 1);
  const draw = (seed: number, topP: number) => {
    const r = seededRandom(seed);
    return Array.from({ length: 400 }, () => sampleToken(row, { temperature: 1, topP }, r));
  };
  assert.deepEqual(draw(5, 1), draw(5, 1));
  assert.notDeepEqual(draw(5, 1), draw(6, 1));
  // tokens 1 and 2 hold ~99% of the mass: top-p 0.9 never draws anything else, top-p 1 sometimes does
  assert.ok(draw(7, 0.9).every((t) => t === 1 || t === 2));
  assert.deepEqual(new Set(draw(7, 0.9)), new Set([1, 2]));
  // a tiny top-p is greedy
  assert.ok(draw(8, 0.01).every((t) => t === 1));
  // high temperature flattens: rarer tokens appear
  const r = seededRandom(9);
  const hot = Array.from({ length: 2000 }, () => sampleToken(row, { temperature: 50, topP: 1 }, r));
  assert.ok(hot.includes(3) && hot.includes(0));
});

test("seededRandom is uniform enough in [0, 1)", () => {
  const r = seededRandom(42);
  let sum = 0;
  for (let i = 0; i < 10000; i++) {
    const x = r();
    assert.ok(x >= 0 && x < 1);
    sum += x;
  }
  assert.ok(Math.abs(sum / 10000 - 0.5) < 0.02);
});

test("streaming detokenizer holds back partial UTF-8 and reproduces the full text", () => {
  // tokens are raw bytes here: "é" (2 bytes) and "🙂" (4 bytes) split across tokens
  const bytes = [...new TextEncoder().encode("a é🙂 b")];
  const dec = new StreamDecoder((ids) => new TextDecoder().decode(new Uint8Array(ids)));
  const pieces = bytes.map((b) => dec.push(b));
  assert.equal(pieces.join(""), "a é🙂 b");
  assert.ok(pieces.every((p) => !p.includes("\uFFFD")));
  assert.equal(pieces[2], ""); // first byte of é
  assert.equal(dec.text(), "a é🙂 b");
});

test("checkpoint folder problems are CheckpointErrors that say what to do", () => {
  const dir = mkdtempSync(join(tmpdir(), "tooln1-ckpt-"));
  assert.throws(() => readCheckpoint(join(dir, "nope")), (e: unknown) => e instanceof CheckpointError && /not a folder/.test(e.message));
  assert.throws(() => readCheckpoint(dir), /model\.onnx is missing.*export-onnx/);
  writeFileSync(join(dir, "model.onnx"), "x");
  assert.throws(() => readCheckpoint(dir), /tooln1-export\.json is missing/);
  writeFileSync(join(dir, "tooln1-export.json"), JSON.stringify({ num_layers: 2, num_kv_heads: 0, head_dim: 8, vocab_size: 10 }));
  assert.throws(() => readCheckpoint(dir), /"num_kv_heads" must be a positive integer/);
  writeFileSync(join(dir, "tooln1-export.json"), JSON.stringify({ num_layers: 2, num_kv_heads: 1, head_dim: 8, vocab_size: 10, eos_token_ids: 3 }));
  assert.throws(() => readCheckpoint(dir), /tokenizer\.json is missing/);
  writeFileSync(join(dir, "tokenizer.json"), "{}");
  writeFileSync(join(dir, "chat_template.jinja"), "{{ messages }}");
  const c = readCheckpoint(dir);
  assert.deepEqual(c.info.eos_token_ids, [3]);
  assert.equal(c.info.chat_template, "{{ messages }}");
  rmSync(dir, { recursive: true, force: true });
});
