/**
 * Runs an exported checkpoint with onnxruntime-node: tokenizer from tokenizer.json
 * (@huggingface/tokenizers), chat template from the export (@huggingface/jinja), and a decode
 * loop over the KV cache (the export's I/O contract: input_ids / attention_mask / position_ids /
 * past_key_values.{i}.key|value in, logits / present.{i}.key|value out).
 * Node only; meant to run inside the generation worker, off the extension host's main thread.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import * as ort from "onnxruntime-node";
import { Tokenizer } from "@huggingface/tokenizers";
import { Template } from "@huggingface/jinja";
import { Checkpoint, CheckpointError, readCheckpoint } from "./checkpoint";
import { StreamDecoder } from "./detokenize";
import { sampleToken, seededRandom } from "./sampling";
import type { ExecutionProviderSetting, GenerateOptions, GenerateResult, LoadedModel, PromptInput } from "./protocol";

export interface EngineOptions {
  executionProvider: ExecutionProviderSetting;
  intraOpNumThreads?: number;
}

/** True when this machine has an NVIDIA driver and onnxruntime-node ships its CUDA provider. */
export function cudaAvailable(): { ok: boolean; why: string } {
  let bin: string;
  try {
    bin = dirname(require.resolve("onnxruntime-node/package.json"));
  } catch {
    return { ok: false, why: "onnxruntime-node is not installed" };
  }
  const lib = join(bin, "bin", "napi-v6", process.platform, process.arch, "libonnxruntime_providers_cuda.so");
  if (!existsSync("/proc/driver/nvidia/version")) return { ok: false, why: "no NVIDIA driver on this machine" };
  if (!existsSync(lib)) return { ok: false, why: "this onnxruntime-node install has no CUDA provider (it was installed with onnxruntime-node-install=skip)" };
  return { ok: true, why: "" };
}

function tokenString(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && typeof (v as { content?: unknown }).content === "string") return (v as { content: string }).content;
  return undefined;
}

export class Engine {
  private constructor(
    readonly checkpoint: Checkpoint,
    private readonly session: ort.InferenceSession,
    readonly tokenizer: Tokenizer,
    private readonly template: Template | null,
    readonly loaded: LoadedModel,
  ) {}

  /** Loads a checkpoint folder. Missing or broken parts throw CheckpointError with what to do. */
  static async load(dir: string, opts: EngineOptions): Promise<Engine> {
    const t0 = performance.now();
    const ckpt = readCheckpoint(dir);
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(ckpt.tokenizerJson, ckpt.tokenizerConfig);
    } catch (e) {
      throw new CheckpointError(`tokenizer.json in ${dir} could not be loaded (${(e as Error).message}). Re-export the checkpoint.`);
    }
    let template: Template | null = null;
    if (ckpt.info.chat_template) {
      try {
        template = new Template(ckpt.info.chat_template);
      } catch (e) {
        throw new CheckpointError(`The chat template of ${dir} could not be parsed (${(e as Error).message}).`);
      }
    }
    let provider: "cpu" | "cuda" = "cpu";
    let providerNote: string | undefined;
    const wantCuda = opts.executionProvider !== "cpu";
    if (wantCuda) {
      const cuda = cudaAvailable();
      if (cuda.ok) provider = "cuda";
      else if (opts.executionProvider === "cuda") providerNote = `CUDA requested but not used: ${cuda.why}; running on CPU.`;
    }
    const base: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: "all" };
    if (opts.intraOpNumThreads) base.intraOpNumThreads = opts.intraOpNumThreads;
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(ckpt.modelPath, { ...base, executionProviders: provider === "cuda" ? ["cuda", "cpu"] : ["cpu"] });
    } catch (e) {
      if (provider === "cuda") {
        providerNote = `CUDA provider failed to start (${(e as Error).message.split("\n")[0]}); running on CPU.`;
        provider = "cpu";
        try {
          session = await ort.InferenceSession.create(ckpt.modelPath, { ...base, executionProviders: ["cpu"] });
        } catch (e2) {
          throw modelError(ckpt.modelPath, e2);
        }
      } else {
        throw modelError(ckpt.modelPath, e);
      }
    }
    const missing = ["input_ids", "logits"].filter((n) => !session.inputNames.includes(n) && !session.outputNames.includes(n));
    if (missing.length || !session.inputNames.includes("past_key_values.0.key")) {
      await session.release();
      throw new CheckpointError(
        `model.onnx in ${dir} does not have the KV-cache inputs and outputs of a Tool-N1 export (inputs: ${session.inputNames.join(", ")}). Export it with \`python -m tooln1 export-onnx\`.`,
      );
    }
    const loaded: LoadedModel = {
      dir,
      provider,
      providerNote,
      numLayers: ckpt.info.num_layers,
      vocabSize: ckpt.info.vocab_size,
      eosTokenIds: ckpt.info.eos_token_ids,
      hasChatTemplate: template !== null,
      loadMs: performance.now() - t0,
    };
    return new Engine(ckpt, session, tokenizer, template, loaded);
  }

  /**
   * The prompt text. Given `text` (rendered by the training template, src/core/template.ts) it is
   * used as-is, and when `messages` come too they are rendered with the checkpoint's chat template
   * to check that both agree (`note` says when they do not). Given only `messages`, the chat
   * template renders them.
   */
  renderPrompt(prompt: PromptInput): { text: string; note?: string } {
    const viaTemplate = prompt.messages && this.template ? this.renderChat(prompt.messages) : undefined;
    if (prompt.text !== undefined) {
      const note =
        viaTemplate !== undefined && viaTemplate !== prompt.text
          ? "The checkpoint's chat template renders this conversation differently from the training template; the training template's text was used."
          : undefined;
      return { text: prompt.text, note };
    }
    if (viaTemplate !== undefined) return { text: viaTemplate };
    if (prompt.messages) throw new CheckpointError(`${this.checkpoint.dir} has no chat template; send the rendered prompt text.`);
    return { text: "" };
  }

  private renderChat(messages: { role: string; content: string }[]): string {
    const cfg = this.checkpoint.tokenizerConfig;
    return this.template!.render({
      messages,
      add_generation_prompt: true,
      bos_token: tokenString(cfg.bos_token) ?? "",
      eos_token: tokenString(cfg.eos_token) ?? "",
    });
  }

  /** Token ids of a prompt text, without added special tokens (as TRL tokenizes prompts). */
  encode(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  decode(ids: number[]): string {
    return ids.length === 0 ? "" : this.tokenizer.decode(ids, { skip_special_tokens: false });
  }

  /**
   * Generates from `promptIds`, calling `onToken` for every new token with the text it completes.
   * `shouldStop` is polled before each step; returning true ends with stopReason "cancelled".
   */
  async generate(
    promptIds: number[],
    opts: GenerateOptions,
    onToken: (tokenId: number, text: string) => void,
    shouldStop: () => boolean = () => false,
  ): Promise<Omit<GenerateResult, "promptText">> {
    if (promptIds.length === 0) throw new Error("The prompt is empty: nothing to generate from.");
    const { num_layers: layers, num_kv_heads: heads, head_dim: headDim } = this.checkpoint.info;
    const inputs = new Set(this.session.inputNames);
    const eos = new Set(opts.ignoreEos ? [] : this.checkpoint.info.eos_token_ids);
    const random = seededRandom(opts.seed);
    const stream = new StreamDecoder((ids) => this.decode(ids));
    const emptyKv = new Float32Array(0);
    let past: Record<string, ort.Tensor> = {};
    for (let i = 0; i < layers; i++) {
      past[`past_key_values.${i}.key`] = new ort.Tensor("float32", emptyKv, [1, heads, 0, headDim]);
      past[`past_key_values.${i}.value`] = new ort.Tensor("float32", emptyKv, [1, heads, 0, headDim]);
    }
    const t0 = performance.now();
    let firstTokenMs = 0;
    let pastLen = 0;
    let step = promptIds;
    let stopReason: GenerateResult["stopReason"] = "length";
    while (stream.tokenIds.length < opts.maxNewTokens) {
      if (shouldStop()) {
        stopReason = "cancelled";
        break;
      }
      const s = step.length;
      const feeds: Record<string, ort.Tensor> = { ...past };
      feeds.input_ids = new ort.Tensor("int64", BigInt64Array.from(step, BigInt), [1, s]);
      if (inputs.has("attention_mask")) {
        feeds.attention_mask = new ort.Tensor("int64", new BigInt64Array(pastLen + s).fill(1n), [1, pastLen + s]);
      }
      if (inputs.has("position_ids")) {
        const pos = new BigInt64Array(s);
        for (let j = 0; j < s; j++) pos[j] = BigInt(pastLen + j);
        feeds.position_ids = new ort.Tensor("int64", pos, [1, s]);
      }
      const out = await this.session.run(feeds);
      const logits = out.logits;
      const vocab = logits.dims[2];
      const next = sampleToken(logits.data as Float32Array, opts, random, (s - 1) * vocab, vocab);
      const nextPast: Record<string, ort.Tensor> = {};
      for (let i = 0; i < layers; i++) {
        nextPast[`past_key_values.${i}.key`] = out[`present.${i}.key`];
        nextPast[`past_key_values.${i}.value`] = out[`present.${i}.value`];
      }
      past = nextPast;
      pastLen += s;
      if (firstTokenMs === 0) firstTokenMs = performance.now() - t0;
      if (eos.has(next)) {
        stopReason = "eos";
        break;
      }
      onToken(next, stream.push(next));
      step = [next];
    }
    const totalMs = performance.now() - t0;
    const tokenIds = [...stream.tokenIds];
    return {
      tokenIds,
      text: stream.text(),
      promptTokens: promptIds.length,
      stopReason,
      firstTokenMs,
      totalMs,
      tokensPerSecond: totalMs > 0 ? (tokenIds.length * 1000) / totalMs : 0,
    };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

function modelError(path: string, e: unknown): CheckpointError {
  const msg = (e instanceof Error ? e.message : String(e)).split("\n")[0];
  return new CheckpointError(`onnxruntime could not load ${path}: ${msg}. The file may be incomplete or corrupt; re-export the checkpoint.`);
}
