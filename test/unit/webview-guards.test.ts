// Messages from webviews are untrusted input: every host handler checks each one with a guard built
// by the one shared helper (common/guard.ts), and the preview opens only schema files it listed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { isWebviewMessage as isDashboardMessage } from "../../common/dashboard/protocol";
import { isWebviewMessage as isEvaluationMessage } from "../../common/evaluation/protocol";
import { isToHost as isInspectorMessage } from "../../common/inspector/protocol";
import { isWebviewToHost as isPreviewMessage } from "../../common/preview/protocol";
import { messageGuard, nat, str } from "../../common/guard";

const ROOT = join(__dirname, "..", "..", "..");
const JUNK = [null, undefined, 1, "ready", [], [{ type: "ready" }], { type: 1 }, { type: "nope" }, { type: "__proto__" }, { type: "constructor" }, { type: "toString" }];

test("messageGuard: exact types, typed fields, extra fields ignored", () => {
  const g = messageGuard<{ type: "a"; n: number } | { type: "b"; s: string }>({ a: { n: nat }, b: { s: str } });
  assert.equal(g({ type: "a", n: 3, extra: true }), true);
  assert.equal(g({ type: "a", n: -1 }), false);
  assert.equal(g({ type: "b" }), false);
  for (const j of JUNK) assert.equal(g(j), false, JSON.stringify(j));
});

test("dashboard: ready's restored state, openRollouts, export and view changes are checked", () => {
  const ok = [
    { type: "ready", restored: null },
    { type: "ready", restored: { runIds: ["/r"], view: { smoothing: 0.5, logScale: false, x: "step", phase: "all" }, colors: { "/r": 1 } } },
    { type: "openRollouts", runId: "/r", step: 3, reasons: ["ok"] },
    { type: "export", format: "csv", name: "a.csv", data: "x" },
    { type: "addRun" },
    { type: "removeRun", runId: "/r" },
    { type: "viewChanged", view: { smoothing: 0, logScale: true, x: "time", phase: "grpo" } },
  ];
  for (const m of ok) assert.equal(isDashboardMessage(m), true, JSON.stringify(m));
  const bad = [
    { type: "ready" },
    { type: "ready", restored: "x" },
    { type: "ready", restored: { runIds: [1] } },
    { type: "ready", restored: { runIds: [], view: { x: "sideways" } } },
    { type: "openRollouts", runId: "/r", step: Infinity },
    { type: "export", format: "exe", name: "a", data: "x" },
    { type: "viewChanged", view: { smoothing: "1", logScale: true, x: "step", phase: "all" } },
    ...JUNK,
  ];
  for (const m of bad) assert.equal(isDashboardMessage(m), false, JSON.stringify(m));
});

test("preview, inspector, BFCL results: malformed messages are rejected", () => {
  const sampling = { maxNewTokens: 64, temperature: 0, topP: 1, seed: 0 };
  for (const m of [{ type: "ready", state: null }, { type: "chooseSchema", uri: "file:///a.tools.json" }, { type: "generate", query: "q", sampling }, { type: "stop" }, { type: "openSchemaFile", uri: "" }]) assert.equal(isPreviewMessage(m), true, JSON.stringify(m));
  for (const m of [{ type: "chooseSchema", uri: 5 }, { type: "openSchemaFile" }, { type: "generate", query: "q", sampling: { ...sampling, maxNewTokens: -1 } }, { type: "ready", state: { schemaUri: 1 } }, ...JUNK]) assert.equal(isPreviewMessage(m), false, JSON.stringify(m));
  const query = { filter: { reasons: ["ok"], rewardMin: 0 }, sort: { key: "reward", desc: true }, offset: 0, limit: 50, groups: false };
  for (const m of [{ type: "ready" }, { type: "query", id: 1, query }, { type: "detail", id: 2, row: 0 }, { type: "history", id: 3, promptId: "p" }, { type: "saveState", state: { a: 1 } }]) assert.equal(isInspectorMessage(m), true, JSON.stringify(m));
  for (const m of [{ type: "query", id: "1", query }, { type: "query", id: 1, query: { ...query, limit: -5 } }, { type: "detail", id: 1, row: 1.5 }, { type: "revealLine" }, ...JUNK]) assert.equal(isInspectorMessage(m), false, JSON.stringify(m));
  for (const m of [{ type: "ready" }, { type: "openFailure", dir: "/e", line: 0 }]) assert.equal(isEvaluationMessage(m), true);
  for (const m of [{ type: "openFailure", dir: "/e", line: -1 }, { type: "select" }, ...JUNK]) assert.equal(isEvaluationMessage(m), false, JSON.stringify(m));
});

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

test("every webview message handler of the host checks with a guard from the shared helper", () => {
  const handlers = files(join(ROOT, "src")).filter((f) => readFileSync(f, "utf8").includes("onDidReceiveMessage("));
  assert.ok(handlers.length >= 4);
  for (const f of handlers) {
    const text = readFileSync(f, "utf8");
    const at = text.indexOf("onDidReceiveMessage(");
    const guardName = /\b(isWebviewMessage|isToHost|isWebviewToHost)\(/.exec(text.slice(text.indexOf("onMessage(raw") >= 0 ? 0 : at))?.[1];
    assert.ok(guardName, `${relative(ROOT, f)} handles webview messages without a guard`);
    assert.match(text, new RegExp(`import \\{[^}]*\\b${guardName}\\b[^}]*\\} from "\\.\\./\\.\\./common/\\w+/protocol"`), relative(ROOT, f));
  }
  for (const p of ["dashboard", "evaluation", "inspector", "preview"]) {
    assert.match(readFileSync(join(ROOT, "common", p, "protocol.ts"), "utf8"), /export const is\w+ = messageGuard</, `${p}: the guard is built by common/guard.ts`);
  }
});

test("preview: a schema file is opened or read only when the panel lists it", () => {
  const panel = readFileSync(join(ROOT, "src", "preview", "panel.ts"), "utf8");
  for (const c of ['case "chooseSchema":', 'case "openSchemaFile":']) {
    const body = panel.slice(panel.indexOf(c), panel.indexOf("return;", panel.indexOf(c)));
    assert.match(body, /await this\.listed\(m\.uri\)/, `${c} checks the list first`);
  }
  assert.match(panel, /wanted && !this\.tools && !prefillPending && \(await this\.listed\(wanted\)\)/, "a restored schemaUri too");
});
