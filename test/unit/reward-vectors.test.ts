// The shared reward vectors (test/vectors/reward/*.json): every case, all four variants, plus the
// parse result (UTF-16 offsets). trainer/tests/test_reward_vectors.py runs the same files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { scoreCompletion } from "../../src/core/reward";
import { parseToolCalls } from "../../src/core/toolcall";
import { parsePyJson, toJson, type PyJson } from "../../src/core/pyjson";
import { REWARD_VARIANTS } from "../../src/core/types";

function vectorDir(): string {
  for (const d of [resolve(__dirname, "../../../test/vectors/reward"), resolve(process.cwd(), "test/vectors/reward")]) {
    if (existsSync(d)) return d;
  }
  throw new Error("test/vectors/reward not found");
}

const dir = vectorDir();
const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
let total = 0;

for (const f of files) {
  // parsePyJson keeps 2.0 a float in the answers and reads Infinity, as Python's json.load does.
  const doc = parsePyJson(readFileSync(resolve(dir, f), "utf8"), { constants: true }) as Map<string, PyJson>;
  const cases = doc.get("cases") as Map<string, PyJson>[];
  total += cases.length;
  test(`reward vectors: ${f} (${cases.length} cases)`, () => {
    for (const c of cases) {
      const id = c.get("id") as string;
      const completion = c.get("completion") as string;
      const expected = toJson(c.get("expected") as PyJson) as Record<string, unknown>;
      for (const v of REWARD_VARIANTS) {
        assert.deepEqual(scoreCompletion(completion, c.get("answer"), v), expected[v], `${f} ${id} [${v}]`);
      }
      if (c.has("parse")) assert.deepEqual(parseToolCalls(completion), toJson(c.get("parse") as PyJson), `${f} ${id} parse`);
    }
  });
}

test("at least 150 shared vectors", () => {
  assert.ok(total >= 150, `only ${total} vectors`);
});
