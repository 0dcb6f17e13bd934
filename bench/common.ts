/**
 * What the `tooln1 check` benchmarks share: medians, the machine's load, a package's version, the
 * whole-process timing of a Node command, and the structural JSON Schema of a sample list that the
 * JSON baseline validates.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";

export const ROOT = join(__dirname, "..", "..");

export function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The 1, 5 and 15 minute load averages. */
export const load = (): number[] => loadavg().map((x) => +x.toFixed(2));

/** The installed version of an npm package. */
export const pkgVersion = (name: string): string => (JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;

export interface Timing {
  wallS: number;
  cpuS: number;
  peakMiB?: number;
}

/** Loaded with `node -r` into the measured process: it writes its own resource usage on exit. */
const USAGE_HOOK = `process.on("exit", () => { const u = process.resourceUsage(); require("fs").writeFileSync(process.env.TOOLN1_BENCH_USAGE, JSON.stringify(u)); });`;

/**
 * One run of `node ARGS` as a whole process: wall time from here, CPU time and peak RSS from its own
 * `process.resourceUsage()`. Its stdout is kept only when asked for (else it goes nowhere).
 */
export function timeNodeProcess(args: string[], scratchDir: string, opts: { stdout?: boolean; maxBuffer?: number } = {}): Required<Timing> & { status: number | null; stdout: string } {
  const usage = join(scratchDir, "usage.json");
  const hook = join(scratchDir, "usage-hook.js");
  writeFileSync(hook, USAGE_HOOK);
  const env = { ...process.env, TOOLN1_BENCH_USAGE: usage };
  const t0 = performance.now();
  const r = opts.stdout
    ? spawnSync(process.execPath, ["-r", hook, ...args], { env, encoding: "utf8", maxBuffer: opts.maxBuffer ?? 1 << 30 })
    : spawnSync(process.execPath, ["-r", hook, ...args], { env, stdio: "ignore" });
  const wallS = (performance.now() - t0) / 1000;
  const u = JSON.parse(readFileSync(usage, "utf8")) as { userCPUTime: number; systemCPUTime: number; maxRSS: number };
  return { wallS, cpuS: (u.userCPUTime + u.systemCPUTime) / 1e6, peakMiB: u.maxRSS / 1024, status: r.status, stdout: typeof r.stdout === "string" ? r.stdout : "" };
}

/**
 * A JSON Schema of an array of samples (`tools`, `messages`, `answer`) for the JSON baseline; `tool`
 * and `schema` are the definitions of one tool and of a parameters schema in the dialect checked.
 */
export function sampleListSchema(o: { tool: object; schema: object; answerName?: object }): object {
  return {
    type: "array",
    items: {
      type: "object",
      required: ["tools", "messages", "answer"],
      properties: {
        id: { type: "string" },
        tools: { type: "array", items: { $ref: "#/definitions/tool" } },
        messages: {
          type: "array",
          minItems: 1,
          items: { type: "object", required: ["role", "content"], properties: { role: { enum: ["system", "user", "assistant", "tool"] }, content: { type: "string" } } },
        },
        answer: { type: "array", items: { type: "object", required: ["name", "arguments"], properties: { name: o.answerName ?? { type: "string" }, arguments: { type: "object" } } } },
      },
    },
    definitions: { tool: o.tool, schema: o.schema },
  };
}
