// rangeInJson (a scan along the path, no tree) gives exactly rangeOfPath's answer on jsonc-parser's
// tree, for every path into real dataset lines and tool files, for missing keys and indexes, keys
// with escapes, duplicate keys and whitespace.
import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseTree } from "jsonc-parser";
import { pathStopsAtRoot, rangeInJson, rangeOfPath, nodeAtPath, STRICT_OPTIONS } from "../../language-server/service/jsonTree";
import type { JsonPath } from "../../language-server/service/problems";

const ROOT = join(__dirname, "..", "..", "..");
const REAL = join(ROOT, "test", "fixtures", "real");

/** Every path in a value, plus a missing key and a missing index below each container. */
function paths(v: unknown, at: JsonPath = [], out: JsonPath[] = []): JsonPath[] {
  out.push(at);
  if (Array.isArray(v)) {
    v.forEach((x, i) => paths(x, [...at, i], out));
    out.push([...at, v.length], [...at, "k"], [...at, v.length, "deeper"]);
  } else if (v && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
    out.push([...at, "no such key"], [...at, 0]);
  }
  return out;
}

function same(text: string, label: string): number {
  const tree = parseTree(text, [], STRICT_OPTIONS)!;
  let n = 0;
  for (const p of paths(JSON.parse(text))) {
    for (const key of [false, true]) {
      assert.deepEqual(rangeInJson(text, p, key), rangeOfPath(tree, p, key), `${label} ${JSON.stringify(p)} key=${key}`);
      n++;
    }
    assert.equal(pathStopsAtRoot(text, p), nodeAtPath(tree, p) === tree, `${label} ${JSON.stringify(p)} at root`);
  }
  return n;
}

test("rangeInJson equals rangeOfPath on every path of the real files (datasets line by line, tool files whole)", () => {
  let n = 0;
  for (const f of readdirSync(REAL).filter((x) => x.endsWith(".json"))) {
    const text = readFileSync(join(REAL, f), "utf8");
    const lines = text.split("\n").filter((l) => l.trim());
    let whole = true;
    try {
      JSON.parse(text);
    } catch {
      whole = false;
    }
    if (whole) n += same(text, f);
    else lines.forEach((l, i) => (n += same(l, `${f}:${i + 1}`)));
  }
  assert.ok(n > 20_000, `${n} paths compared`);
});

test("rangeInJson: whitespace, escapes in keys and strings, duplicate keys, scalars and empty containers", () => {
  const cases = [
    ' \t{ "a" : [ 1 , { "b\\"c" : "x\\\\\\"]}" , "d":null } , [ ] , { } ] , "a":2 ,"e\\u0041":-1.5e3 }\r\n',
    '[{"name":"f","arguments":{"x":[true,false,{"y":"}"}]}}, "s", 0]',
    '"just a string"',
    "  42 ",
    "{}",
    "[]",
    '{"a":{"a":{"a":[[[{"a":1}]]]}}}',
  ];
  for (const c of cases) assert.ok(same(c, JSON.stringify(c)) > 0);
  // the key of a duplicated property is the first one's (as jsonc-parser's findNodeAtLocation)
  assert.deepEqual(rangeInJson('{"k":1,"k":2}', ["k"], true), { start: 1, end: 4 });
  // an escaped key is compared decoded
  assert.deepEqual(rangeInJson('{"e\\u0041":7}', ["eA"]), { start: 11, end: 12 });
});
