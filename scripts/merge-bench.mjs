// Merges every bench/results/<area>.json into bench/results.json (one key per area).
import { readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
const dir = new URL("../bench/results/", import.meta.url).pathname;
const merged = { generated: new Date().toISOString(), areas: {} };
for (const f of existsSync(dir) ? readdirSync(dir).sort() : []) {
  if (!f.endsWith(".json")) continue;
  merged.areas[f.replace(/\.json$/, "")] = JSON.parse(readFileSync(dir + f, "utf8"));
}
writeFileSync(new URL("../bench/results.json", import.meta.url), JSON.stringify(merged, null, 2) + "\n");
console.log(`bench/results.json: ${Object.keys(merged.areas).join(", ") || "no results"}`);
