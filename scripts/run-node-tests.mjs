// Runs every compiled *.test.js under the given folders with node's test runner.
// Exits non-zero if a test fails; says so plainly when a folder holds no tests.
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
  console.log(`no tests under ${dirs.join(", ")}`);
  process.exit(0);
}
files.sort();
const r = spawnSync(process.execPath, ["--test", "--test-reporter=spec", "--test-concurrency=2", ...files], { stdio: "inherit" });
process.exit(r.status ?? 1);
