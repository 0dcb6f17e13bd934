/**
 * Generation tokens/s: onnxruntime-node in the generation worker (what "Try a model" runs) vs
 * onnxruntime in Python (trainer/bench/ort_python_bench.py), side by side on the same exported
 * model, prompt, thread count and token count, alternating run by run (the Python side is one
 * warm process serving one generation per request), so load on a shared machine hits both alike.
 * Target: ratio >= 0.8.
 * The model is a small Qwen2 built and exported with the trainer's own commands.
 * Writes bench/results/inference.json.
 */
import { spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { InferenceClient } from "../src/inference/client";
import { buildTryPrompt } from "../src/preview/prompt";

const root = resolve(__dirname, "../..");
const python = join(root, ".venv/bin/python");
const NEW_TOKENS = 128;
const RUNS = 9;
const DIMS = ["--hidden-size", "256", "--intermediate-size", "1024", "--layers", "4", "--heads", "8", "--kv-heads", "4", "--vocab-size", "1024"];
const TOOLS = [
  { name: "get_weather", description: "Current weather for a city", parameters: { type: "object", properties: { city: { type: "string" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] } }, required: ["city"] } },
  { name: "convert_currency", description: "Convert an amount between currencies", parameters: { type: "object", properties: { amount: { type: "number" }, from: { type: "string" }, to: { type: "string" } }, required: ["amount", "from", "to"] } },
  { name: "set_timer", description: "Start a timer", parameters: { type: "object", properties: { minutes: { type: "integer" } }, required: ["minutes"] } },
];

function ortVersion(): string {
  return (JSON.parse(readFileSync(join(root, "node_modules/onnxruntime-node/package.json"), "utf8")) as { version: string }).version;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, HF_HUB_OFFLINE: "1" }, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stderr}`);
  return r.stdout;
}

async function main(): Promise<void> {
  if (!existsSync(python)) {
    console.error("inference bench: .venv is missing (make venv)");
    process.exit(1);
  }
  const work = mkdtempSync(join(tmpdir(), "tooln1-infer-bench-"));
  const client = new InferenceClient(join(root, "dist/generate.worker.js"));
  try {
    const ckpt = join(work, "ckpt");
    const out = join(work, "onnx");
    run(python, ["-m", "tooln1", "make-tiny-model", "--out", ckpt, ...DIMS]);
    run(python, ["-m", "tooln1", "export-onnx", "--checkpoint", ckpt, "--out", out]);
    const prompt = buildTryPrompt(JSON.stringify(TOOLS), "What's the weather in Paris in celsius, and convert 20 USD to EUR?").text;
    const tok = new Tokenizer(JSON.parse(readFileSync(join(out, "tokenizer.json"), "utf8")), JSON.parse(readFileSync(join(out, "tokenizer_config.json"), "utf8")));
    const ids = tok.encode(prompt, { add_special_tokens: false }).ids;
    const threads = Math.min(4, cpus().length);
    const load0 = loadavg()[0];

    await client.load(out, "cpu", threads);
    const opts = { maxNewTokens: NEW_TOKENS, temperature: 0, topP: 1, seed: 0, ignoreEos: true };
    await client.generate({ ids }, { ...opts, maxNewTokens: 4 }).result; // warm-up
    const py = spawn(python, [join(root, "trainer/bench/ort_python_bench.py"), "--serve", "--model", out, "--prompt-ids", JSON.stringify(ids), "--new-tokens", String(NEW_TOKENS), "--threads", String(threads)], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    const lines = createInterface({ input: py.stdout! })[Symbol.asyncIterator]();
    const nextLine = async () => {
      const l = await lines.next();
      if (l.done) throw new Error("the Python benchmark process ended early");
      return JSON.parse(l.value) as { ready?: boolean; onnxruntime?: string; tokens_per_s: number[]; tokens: number[] };
    };
    const hello = await nextLine();
    const nodeRates: number[] = [];
    const pyRates: number[] = [];
    let nodeTokens: number[] = [];
    let pyTokens: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const res = await client.generate({ ids }, opts).result;
      nodeRates.push(res.tokensPerSecond);
      nodeTokens = res.tokenIds;
      py.stdin!.write("run\n");
      const p = await nextLine();
      pyRates.push(p.tokens_per_s[0]);
      pyTokens = p.tokens;
    }
    py.stdin!.end();
    const nodeMedian = median(nodeRates);
    const pyMedian = median(pyRates);
    const ratio = nodeMedian / pyMedian;
    const result = {
      benchmark: "greedy generation tokens/s, onnxruntime-node (generation worker) vs onnxruntime in Python, same model, prompt and threads",
      model: { arch: "Qwen2 (tooln1 make-tiny-model)", dims: DIMS.join(" "), params_note: "random weights; exported with tooln1 export-onnx" },
      prompt_tokens: ids.length,
      new_tokens: NEW_TOKENS,
      runs_each: RUNS,
      intra_op_threads: threads,
      node: { tokens_per_s_median: nodeMedian, runs: nodeRates, onnxruntime_node: ortVersion() },
      baseline_python: { tokens_per_s_median: pyMedian, runs: pyRates, script: "trainer/bench/ort_python_bench.py --serve", onnxruntime: hello.onnxruntime },
      ratio_node_over_python: ratio,
      target_ratio: 0.8,
      pass: ratio >= 0.8,
      greedy_tokens_identical: JSON.stringify(nodeTokens) === JSON.stringify(pyTokens),
      machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model ?? "", load_average_at_start: load0, node: process.version },
      note: "CPU only (this onnxruntime-node install has no CUDA provider). The machine is shared; runs alternate node/python and medians are reported.",
    };
    mkdirSync(join(root, "bench/results"), { recursive: true });
    writeFileSync(join(root, "bench/results/inference.json"), JSON.stringify(result, null, 2) + "\n");
    console.log(`inference: node ${nodeMedian.toFixed(1)} tok/s, python ${pyMedian.toFixed(1)} tok/s, ratio ${ratio.toFixed(2)} (target >= 0.8), greedy identical: ${result.greedy_tokens_identical}`);
  } finally {
    await client.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
