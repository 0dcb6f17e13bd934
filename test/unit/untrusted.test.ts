// What may run in an untrusted workspace, checked on the sources (README, "Workspace Trust"): the
// extension host starts processes only from the training and evaluation modules, each path behind
// the trust check; the one other process is the bundled language server (the language client).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = join(__dirname, "..", "..", "..");
const SRC = join(ROOT, "src");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** The body of the function or command handler that starts at `head` (balanced braces). */
function bodyOf(text: string, head: string): string {
  const at = text.indexOf(head);
  assert.ok(at >= 0, `${head} not found`);
  let depth = 0;
  for (let i = text.indexOf("{", at); i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return text.slice(at, i + 1);
  }
  throw new Error(`unbalanced ${head}`);
}

test("only the training and evaluation modules of the extension host import child_process", () => {
  const host = files(SRC).filter((f) => !relative(SRC, f).startsWith("cli"));
  const launching = host.filter((f) => /from "(node:)?child_process"|require\("(node:)?child_process"\)/.test(readFileSync(f, "utf8"))).map((f) => relative(ROOT, f));
  assert.deepEqual(launching.sort(), ["src/evaluation/bfcl.ts", "src/node/gpus.ts", "src/training/environment.ts", "src/training/runManager.ts"]);
  const lsp = host.filter((f) => readFileSync(f, "utf8").includes("vscode-languageclient/node")).map((f) => relative(ROOT, f));
  assert.deepEqual(lsp, ["src/lsp/client.ts"], "the language server is the only other process");
  assert.match(readFileSync(join(SRC, "lsp", "client.ts"), "utf8"), /module, transport: TransportKind\.ipc/, "run by VS Code's own Node runtime");
});

test("every path to a launch checks Workspace Trust first", () => {
  const activate = readFileSync(join(SRC, "training", "activate.ts"), "utf8");
  const train = bodyOf(activate, '"tooln1.train": async');
  assert.ok(train.indexOf("requireTrust") >= 0 && train.indexOf("requireTrust") < train.indexOf("ensureTrainerPython"), "Train checks trust before it looks for an interpreter");
  assert.ok(train.indexOf("ensureTrainerPython") < train.indexOf("controller.launch"));
  assert.ok(train.indexOf("requireTrust") < train.indexOf("countGpus("), "nvidia-smi runs only after the trust check");
  const gpuCallers = files(SRC).filter((f) => readFileSync(f, "utf8").includes("countGpus(") && !f.endsWith("gpus.ts")).map((f) => relative(ROOT, f));
  assert.deepEqual(gpuCallers, ["src/training/activate.ts"]);
  const evaluation = bodyOf(readFileSync(join(SRC, "evaluation", "activate.ts"), "utf8"), "export async function evaluateCheckpoint");
  assert.ok(evaluation.indexOf("requireTrust") >= 0 && evaluation.indexOf("requireTrust") < evaluation.indexOf("ensureTrainerPython"), "BFCL evaluation checks trust first");
  assert.ok(evaluation.indexOf("requireTrust") < evaluation.indexOf("new EvalProcess("));
  const evalLaunchers = files(SRC).filter((f) => readFileSync(f, "utf8").includes("new EvalProcess(")).map((f) => relative(ROOT, f));
  assert.deepEqual(evalLaunchers, ["src/evaluation/activate.ts"]);
  const env = readFileSync(join(SRC, "training", "environment.ts"), "utf8");
  const setup = bodyOf(env, "export async function setupEnvironment");
  assert.ok(setup.indexOf("requireTrust") >= 0 && setup.indexOf("requireTrust") < setup.indexOf("runStreaming("), "set-up checks trust before it runs anything");
  const spawners = [...env.matchAll(/function (\w+)\([^)]*\)[^{]*\{/g)].map((m) => m[1]).filter((name) => /\bspawn\(/.test(bodyOf(env, `function ${name}(`)));
  assert.deepEqual(spawners, ["runStreaming"], "environment.ts spawns in one helper");
  const runners = [...env.matchAll(/runStreaming\(/g)].length;
  assert.equal(runners - 1, [...setup.matchAll(/runStreaming\(/g)].length, "and only set-up calls it");
  // ensureTrainerPython (it runs the interpreter) is reached only from Train and set-up
  const callers = files(SRC).filter((f) => readFileSync(f, "utf8").includes("ensureTrainerPython(")).map((f) => relative(ROOT, f));
  assert.deepEqual(callers.sort(), ["src/evaluation/activate.ts", "src/training/activate.ts", "src/training/environment.ts"]);
  const controller = readFileSync(join(SRC, "training", "controller.ts"), "utf8");
  const refresh = bodyOf(controller, "async refresh()");
  assert.ok(refresh.indexOf("isTrusted") >= 0 && refresh.indexOf("isTrusted") < refresh.indexOf("this.attach("), "reattach (it may signal) only in a trusted workspace");
  const panel = readFileSync(join(SRC, "preview", "panel.ts"), "utf8");
  assert.ok(/requireTrust\("Running a model/.test(panel), "local generation (native code on a workspace file) checks trust");
});
