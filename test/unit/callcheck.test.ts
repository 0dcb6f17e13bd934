import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readToolList } from "../../src/core/schema";
import { checkCall, indexTools } from "../../src/core/callcheck";
import type { Json } from "../../src/core/types";

const root = join(__dirname, "..", "..", "..");
const vectors = JSON.parse(readFileSync(join(root, "test/vectors/callcheck/cases.json"), "utf8")) as {
  toolsets: Record<string, Json>;
  cases: { name: string; tools: string; call: Json; expected: unknown[] }[];
};

for (const c of vectors.cases) {
  test(`callcheck vector: ${c.name}`, () => {
    const { tools } = readToolList(vectors.toolsets[c.tools]);
    assert.deepEqual(checkCall(c.call, indexTools(tools)), c.expected);
  });
}

test("callcheck vectors exercise every problem code", () => {
  const codes = new Set(vectors.cases.flatMap((c) => c.expected.map((p) => (p as { code: string }).code)));
  for (const code of ["unknown_tool", "missing_required", "wrong_type", "enum_violation", "unexpected_argument", "bad_call"]) assert.ok(codes.has(code), code);
});

test("an index compiles each tool once and is reusable across calls", () => {
  const { tools } = readToolList(vectors.toolsets.weather);
  const index = indexTools(tools);
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(checkCall({ name: "get_weather", arguments: { city: "Oslo" } }, index), []);
    assert.equal(checkCall({ name: "get_weather", arguments: {} }, index).length, 1);
  }
  assert.deepEqual(index.names, ["get_weather", "get_time", "ping", "anything"]);
});

test("a self-referential $ref chain terminates", () => {
  const { tools } = readToolList([{ name: "t", parameters: { type: "object", properties: { a: { $ref: "#" } } } }]);
  const deep: Json = { a: { a: { a: { a: { b: 1 } } } } };
  const problems = checkCall({ name: "t", arguments: deep }, indexTools(tools));
  assert.equal(problems.length, 0); // nested levels are not the top level: extra keys allowed
});
