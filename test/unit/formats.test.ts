// The JSON specs both languages load (trainer/src/tooln1/schemas/): the TypeScript side reads them as they are.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REASON_CODES } from "../../src/core/types";
import { eventError } from "../../src/core/events";
import { scoreCompletion } from "../../src/core/reward";
import { BFCL_CATEGORIES } from "../../src/evaluation/bfcl";

const schemas = join(__dirname, "..", "..", "..", "trainer/src/tooln1/schemas");
const read = (name: string) => JSON.parse(readFileSync(join(schemas, name), "utf8"));

test("REASON_CODES are reasons.json's codes, in its order", () => {
  assert.deepEqual([...REASON_CODES], Object.keys(read("reasons.json").codes));
  assert.equal(REASON_CODES[0], "ok");
});

test("the reward names the first failing check in reasons.json's order", () => {
  // no reasoning (format) and a wrong value (calls): no_think comes first in the spec
  const r = scoreCompletion('<tool_call>[{"name": "f", "arguments": {"a": 2}}]</tool_call>', [{ name: "f", arguments: { a: 1 } }], "binary");
  assert.equal(r.reason, "no_think");
  assert.equal(r.mismatch, "calls[0].arguments.a");
});

test("every event type of event.schema.json has a reader, and no other type is read", () => {
  const types: string[] = read("event.schema.json").properties.type.enum;
  for (const type of types) {
    const err = eventError({ v: 1, type, time: "2026-11-25T15:04:05.123Z" });
    assert.ok(err === null || !/unknown event type|no reader/.test(err), `${type}: ${err}`);
  }
  assert.equal(eventError({ v: 1, type: "heartbeat", time: "t" }), 'unknown event type "heartbeat"');
});

test("BFCL_CATEGORIES are bfcl-categories.json's, in its order", () => {
  assert.deepEqual([...BFCL_CATEGORIES], Object.keys(read("bfcl-categories.json").categories));
  assert.equal(BFCL_CATEGORIES.length, 13);
});
