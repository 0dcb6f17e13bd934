/** The language server over a real LSP connection (stdio): node dist/server.js --stdio. */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { pathToFileURL } from "node:url";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { CodeAction, CompletionItem, Hover, Location, DocumentSymbol } from "vscode-languageserver-protocol";
import { startServer, type Client } from "./lspClient";
import { ToolN1LanguageService } from "../../language-server/service";

const FIX = join(__dirname, "..", "..", "..", "test", "fixtures", "ls");
const read = (n: string) => readFileSync(join(FIX, n), "utf8");
let c: Client;

before(async () => {
  c = await startServer();
});
after(async () => {
  await c.close();
});

function open(uri: string, languageId: string, text: string, version = 1) {
  return c.conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId, version, text } });
}

test("didOpen publishes diagnostics for schema files and datasets", async () => {
  const su = "file:///ws/problems.tools.json";
  const sd = c.diagnostics(su, 1);
  await open(su, "tooln1-tools", read("problems.tools.json"));
  const sdiags = await sd;
  for (const code of ["illegal_tool_name", "unknown_type", "required_not_in_properties", "unresolved_ref", "duplicate_name"]) assert.ok(sdiags.some((d) => d.code === code), code);
  const du = "file:///ws/problems.jsonl";
  const dd = c.diagnostics(du, 1);
  await open(du, "tooln1-dataset", read("problems.jsonl"));
  const ddiags = await dd;
  assert.ok(ddiags.some((d) => d.code === "json_syntax" && d.range.start.line === 1));
  assert.ok(ddiags.some((d) => d.code === "unknown_tool" && d.range.start.line === 2));
  const vu = "file:///ws/valid.jsonl";
  const vd = c.diagnostics(vu, 1);
  await open(vu, "tooln1-dataset", read("valid.jsonl"));
  assert.deepEqual(await vd, []);
});

test("didChange re-validates: a one-line edit shows up in the next publishDiagnostics", async () => {
  const uri = "file:///ws/edit.jsonl";
  const text = read("valid.jsonl");
  const first = c.diagnostics(uri, 1);
  await open(uri, "tooln1-dataset", text);
  assert.deepEqual(await first, []);
  const line = text.split("\n")[1];
  const at = line.lastIndexOf('"celsius"');
  const next = c.diagnostics(uri, 2);
  await c.conn.sendNotification("textDocument/didChange", {
    textDocument: { uri, version: 2 },
    contentChanges: [{ range: { start: { line: 1, character: at }, end: { line: 1, character: at + 9 } }, text: '"kelvin"' }],
  });
  const diags = await next;
  assert.equal(diags.length, 1);
  assert.equal(diags[0].code, "enum_violation");
  assert.deepEqual(diags[0].range.start, { line: 1, character: at });
  // Undo: clean again.
  const back = c.diagnostics(uri, 3);
  await c.conn.sendNotification("textDocument/didChange", {
    textDocument: { uri, version: 3 },
    contentChanges: [{ range: { start: { line: 1, character: at }, end: { line: 1, character: at + 8 } }, text: '"celsius"' }],
  });
  assert.deepEqual(await back, []);
});

test("hover, completion, definition, references, symbols and code actions", async () => {
  const uri = "file:///ws/valid.jsonl";
  const text = read("valid.jsonl");
  const l0 = text.split("\n")[0];
  const callName = l0.indexOf('"name": "get_weather", "arguments"') + 10;
  const hover = (await c.conn.sendRequest("textDocument/hover", { textDocument: { uri }, position: { line: 0, character: callName } })) as Hover;
  assert.match((hover.contents as { value: string }).value, /Current weather for a city/);

  const argsAt = l0.indexOf('{"city": "Paris"') + 1;
  const items = (await c.conn.sendRequest("textDocument/completion", { textDocument: { uri }, position: { line: 0, character: argsAt } })) as CompletionItem[];
  assert.ok(items.some((i) => i.label === "unit"), JSON.stringify(items.map((i) => i.label)));

  const defs = (await c.conn.sendRequest("textDocument/definition", { textDocument: { uri }, position: { line: 0, character: callName } })) as Location[];
  assert.equal(defs.length, 1);
  assert.equal(defs[0].range.start.line, 0);
  assert.equal(l0.slice(defs[0].range.start.character, defs[0].range.end.character), '"get_weather"');

  const refs = (await c.conn.sendRequest("textDocument/references", { textDocument: { uri }, position: { line: 0, character: callName }, context: { includeDeclaration: false } })) as Location[];
  assert.deepEqual(refs.map((r) => r.range.start.line).sort(), [0, 1, 3]);

  const syms = (await c.conn.sendRequest("textDocument/documentSymbol", { textDocument: { uri } })) as DocumentSymbol[];
  assert.deepEqual(syms.map((s) => s.name), ["s1", "s2", "s3", "s4"]);

  const su = "file:///ws/problems.tools.json";
  const diags = c.latest(su)!.diagnostics;
  const req = diags.find((d) => d.code === "required_not_in_properties")!;
  const actions = (await c.conn.sendRequest("textDocument/codeAction", { textDocument: { uri: su }, range: req.range, context: { diagnostics: [req] } })) as CodeAction[];
  const add = actions.find((a) => a.title === 'Add "country" to properties');
  assert.ok(add?.edit?.changes?.[su]?.length, JSON.stringify(actions.map((a) => a.title)));
  const doc = TextDocument.create(su, "tooln1-tools", 1, read("problems.tools.json"));
  const fixed = TextDocument.applyEdits(doc, add!.edit!.changes![su]);
  assert.ok(!new ToolN1LanguageService().validate(TextDocument.create(su, "tooln1-tools", 2, fixed)).some((d) => d.code === "required_not_in_properties"));
});

test("settings are pulled per resource: tooln1.maxDiagnosticsPerFile caps the list", async () => {
  const c2 = await startServer({ maxDiagnostics: 20 });
  try {
    const lines: string[] = [];
    for (let i = 0; i < 100; i++) lines.push(`{"id": "x${i}", "tools": [], "messages": [{"role": "user", "content": "q"}], "answer": [{"name": "nope", "arguments": {}}]}`);
    const uri = "file:///ws/many.jsonl";
    const p = c2.diagnostics(uri, 1);
    await c2.conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "tooln1-dataset", version: 1, text: lines.join("\n") } });
    const diags = await p;
    assert.equal(diags.length, 20);
    assert.equal(diags[19].code, "too_many_problems");
    assert.equal(diags[0].severity, 1);
  } finally {
    await c2.close();
  }
});

test("large files: validated from disk with progress, first problems published, full report on request", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tooln1-ls-"));
  try {
    const path = join(dir, "big.jsonl");
    const good = read("valid.jsonl").trimEnd().split("\n");
    const bad = read("problems.jsonl").trimEnd().split("\n");
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) lines.push(i % 100 === 7 ? bad[2] : good[i % good.length].replace(/"s\d"/, `"id${i}"`));
    writeFileSync(path, lines.join("\n") + "\n");
    const uri = pathToFileURL(path).toString();
    const progress: number[] = [];
    c.conn.onNotification("tooln1/validateProgress", (p: { uri: string; bytesRead: number }) => {
      if (p.uri === uri) progress.push(p.bytesRead);
    });
    const published = c.diagnostics(uri);
    const res = (await c.conn.sendRequest("tooln1/validateFile", { uri, publish: true })) as { lines: number; error: number };
    assert.equal(res.lines, 3000);
    assert.equal(res.error, 30);
    assert.ok(progress.length >= 1);
    const diags = await published;
    assert.ok(diags.filter((d) => d.code === "unknown_tool").length === 30);
    const all = (await c.conn.sendRequest("tooln1/allProblems", { uri })) as { problems: { line: number; code: string }[] };
    assert.equal(all.problems.filter((p) => p.code === "unknown_tool").length, 30);
    assert.equal(all.problems.find((p) => p.code === "unknown_tool")!.line, 7);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("fuzz through the server: rapid edits and junk never stop it answering", async () => {
  let seed = 12345;
  const r = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
  const uri = "file:///ws/fuzz.jsonl";
  const doc = TextDocument.create(uri, "tooln1-dataset", 1, read("problems.jsonl") + read("valid.jsonl"));
  await open(uri, "tooln1-dataset", doc.getText());
  const pieces = ["{", "}", '"', ",", ":", "\n", "\u0000", "😀", '"$ref": "#"', "[".repeat(2000), '"type": "dict"'];
  for (let n = 0; n < 400; n++) {
    const text = doc.getText();
    const a = Math.floor(r() * (text.length + 1));
    const b = Math.min(text.length, a + Math.floor(r() * 30));
    const change = { range: { start: doc.positionAt(a), end: doc.positionAt(b) }, text: pieces[Math.floor(r() * pieces.length)] };
    TextDocument.update(doc, [change], doc.version + 1);
    void c.conn.sendNotification("textDocument/didChange", { textDocument: { uri, version: doc.version }, contentChanges: [change] });
    if (n % 20 === 0) void c.conn.sendRequest("textDocument/hover", { textDocument: { uri }, position: doc.positionAt(Math.floor(r() * text.length)) });
    if (n % 25 === 0) void c.conn.sendRequest("textDocument/completion", { textDocument: { uri }, position: doc.positionAt(Math.floor(r() * text.length)) });
  }
  const last = await c.diagnostics(uri, doc.version);
  const fresh = new ToolN1LanguageService().validate(TextDocument.create(uri, "tooln1-dataset", 1, doc.getText()));
  assert.deepEqual(last, fresh);
  // Still answering, still alive.
  const syms = await c.conn.sendRequest("textDocument/documentSymbol", { textDocument: { uri } });
  assert.ok(Array.isArray(syms));
  assert.equal(c.proc.exitCode, null);
  assert.doesNotMatch(c.stderr(), /tooln1 server:/);
});

for (const threads of ["2", "1"]) {
  test(`a large dataset's first check on ${threads} thread${threads === "1" ? "" : "s"} equals the service's`, async () => {
    const srv = await startServer({ env: { TOOLN1_LS_THREADS: threads } });
    try {
      const good = read("valid.jsonl").trimEnd().split("\n");
      const bad = read("problems.jsonl").trimEnd().split("\n");
      const lines: string[] = [];
      for (let i = 0; i < 6000; i++) lines.push(i % 97 === 5 ? bad[(i >> 3) % bad.length] : good[i % good.length].replace(/"s\d"/, `"id${i % 5000}"`));
      const text = lines.join("\n");
      const uri = "file:///ws/large-open.jsonl";
      const p = srv.diagnostics(uri, 1, 60_000);
      await srv.conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "tooln1-dataset", version: 1, text } });
      const diags = await p;
      const fresh = new ToolN1LanguageService().validate(TextDocument.create(uri, "tooln1-dataset", 1, text));
      assert.ok(fresh.length > 100);
      assert.deepEqual(diags, fresh);
      // Later lines (on two threads, checked by the second) are edited like any other.
      const l = 5500;
      const at = lines[l].indexOf('"name": "get_weather", "arguments"') + 9;
      const next = srv.diagnostics(uri, 2);
      await srv.conn.sendNotification("textDocument/didChange", { textDocument: { uri, version: 2 }, contentChanges: [{ range: { start: { line: l, character: at }, end: { line: l, character: at } }, text: "zz" }] });
      assert.ok((await next).some((d) => d.range.start.line === l && d.code === "unknown_tool"));
      assert.doesNotMatch(srv.stderr(), /tooln1 server:|check worker/);
    } finally {
      await srv.close();
    }
  });
}

test("extremes through the server: 10,000-deep nesting, binary junk, a 20 MB line", async () => {
  let junk = "";
  for (let i = 0; i < 5000; i++) junk += String.fromCharCode((i * 7919) % 65536);
  const big = JSON.stringify({ id: "big", tools: [], messages: [{ role: "user", content: "x".repeat(20 * 1024 * 1024) }], answer: [] });
  const text = ["[".repeat(10_000) + "]".repeat(10_000), junk.replace(/[\r\n]/g, " "), big.slice(0, -1), read("valid.jsonl").split("\n")[0]].join("\n");
  const uri = "file:///ws/extreme.jsonl";
  const p = c.diagnostics(uri, 1, 60_000);
  await open(uri, "tooln1-dataset", text);
  const diags = await p;
  assert.ok(diags.some((d) => d.range.start.line === 0 && d.code === "sample_not_object"));
  assert.ok(diags.some((d) => d.range.start.line === 1 && d.code === "json_syntax"));
  assert.ok(diags.some((d) => d.range.start.line === 2 && d.code === "json_syntax"));
  assert.ok(!diags.some((d) => d.range.start.line === 3));
  const h = await c.conn.sendRequest("textDocument/hover", { textDocument: { uri }, position: { line: 0, character: 5000 } });
  assert.equal(h, null);
  const su = "file:///ws/deep.tools.json";
  const sp = c.diagnostics(su, 1);
  await open(su, "tooln1-tools", '{"tools": ' + "[".repeat(10_000) + "]".repeat(10_000) + "}");
  assert.ok((await sp).length > 0);
  assert.equal(c.proc.exitCode, null);
  await c.conn.sendNotification("textDocument/didClose", { textDocument: { uri } });
  await c.conn.sendNotification("textDocument/didClose", { textDocument: { uri: su } });
});

test("didClose clears the file's diagnostics", async () => {
  const uri = "file:///ws/problems.jsonl";
  const cleared = c.diagnostics(uri);
  await c.conn.sendNotification("textDocument/didClose", { textDocument: { uri } });
  assert.deepEqual(await cleared, []);
});
