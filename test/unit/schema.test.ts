import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { normalizeTool, readToolList, toJsonSchema, toOpenAITool, xlamTypeToSchema } from "../../src/core/schema";
import type { Json, SchemaNode } from "../../src/core/types";

const root = join(__dirname, "..", "..", "..");
const vectors = JSON.parse(readFileSync(join(root, "test/vectors/schema/cases.json"), "utf8")) as {
  cases: { name: string; op: string; input: Json; path?: (string | number)[]; expected: unknown }[];
};

for (const c of vectors.cases) {
  test(`schema vector: ${c.op}: ${c.name}`, () => {
    let got: unknown;
    if (c.op === "normalizeTool") {
      const r = normalizeTool(c.input, c.path);
      got = { tool: r.tool ?? null, problems: r.problems };
    } else if (c.op === "readToolList") got = readToolList(c.input);
    else if (c.op === "toJsonSchema") got = toJsonSchema(c.input as SchemaNode);
    else {
      const t = normalizeTool(c.input).tool;
      assert.ok(t);
      got = toOpenAITool(t);
    }
    assert.deepEqual(got, c.expected);
  });
}

test("schema vectors cover every operation and dialect", () => {
  const ops = new Set(vectors.cases.map((c) => c.op));
  assert.deepEqual([...ops].sort(), ["normalizeTool", "readToolList", "toJsonSchema", "toOpenAITool"]);
  const dialects = new Set(vectors.cases.flatMap((c) => (c.op === "normalizeTool" ? [(c.expected as { tool: { dialect: string } | null }).tool?.dialect] : [])));
  for (const d of ["openai", "bare", "mcp", "bfcl", "xlam"]) assert.ok(dialects.has(d), d);
});

test("xLAM type strings", () => {
  assert.deepEqual(xlamTypeToSchema("List[Dict[str, Any]]"), { schema: { type: "array", items: { type: "object" } }, optional: false });
  assert.deepEqual(xlamTypeToSchema("int, optional"), { schema: { type: "integer" }, optional: true });
  assert.deepEqual(xlamTypeToSchema("Optional[List[int]]"), { schema: { type: ["array", "null"], items: { type: "integer" } }, optional: false });
  assert.deepEqual(xlamTypeToSchema("Callable[[int], int]"), { schema: {}, optional: false });
});

test("toJsonSchema does not modify its input", () => {
  const input = { type: "dict", properties: { a: { type: "float" } } };
  const copy = JSON.parse(JSON.stringify(input));
  toJsonSchema(input);
  assert.deepEqual(input, copy);
});
