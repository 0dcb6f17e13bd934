import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { paperDropReason, validateSample, wouldPaperDrop } from "../../src/core/sample";
import type { Json } from "../../src/core/types";

const root = join(__dirname, "..", "..", "..");
const doc = JSON.parse(readFileSync(join(root, "test/vectors/importers/samples.json"), "utf8")) as {
  cases: { name: string; input: Json; expected: { ok: boolean; problems: unknown[]; drop: unknown } }[];
};

for (const c of doc.cases) {
  test(`sample vector: ${c.name}`, () => {
    const r = validateSample(c.input);
    assert.deepEqual(r.problems, c.expected.problems);
    assert.equal(r.sample !== undefined, c.expected.ok);
    assert.deepEqual(r.sample ? paperDropReason(r.sample) : null, c.expected.drop);
  });
}

test("a valid sample comes back clean, with only the canonical fields", () => {
  const r = validateSample({ id: "a", tools: [], messages: [{ role: "user", content: "q", name: "x" }], answer: [], extra: 1 } as Json);
  assert.deepEqual(r.sample, { id: "a", tools: [], messages: [{ role: "user", content: "q" }], answer: [] });
  assert.equal(wouldPaperDrop(r.sample!), "the candidate tool list is empty");
});
