// Runs every compiled *.test.js under the given folders with node's test runner.
// Exits non-zero if a test fails, and when the folders hold no tests (nothing built is not a pass).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const files = [];
function walk(d) {
  if (!existsSync(d)) return;
  for (const n of readdirSync(d)) {
    const p = join(d, n);
    if (statSync(p).isDirectory()) walk(p);
    else if (n.endsWith(".test.js")) files.push(p);
  }
}
const dirs = process.argv.slice(2);
dirs.forEach(walk);
if (files.length === 0) {
  console.error(`no compiled tests (*.test.js) under ${dirs.join(", ") || "(no folder given)"}: run node scripts/build.mjs first`);
  process.exit(1);
}
files.sort();
const r = spawnSync(process.execPath, ["--test", "--test-reporter=spec", "--test-concurrency=2", ...files], { stdio: "inherit" });
process.exit(r.status ?? 1);
