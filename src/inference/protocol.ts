/**
 * Messages between the extension host (src/inference/client.ts) and the generation worker
 * (src/inference/generate.worker.ts). One union per direction, switched on `type`.
 */

export type ExecutionProviderSetting = "auto" | "cpu" | "cuda";

export interface GenerateOptions {
  /** Most new tokens to generate. */
  maxNewTokens: number;
  /** 0 = greedy; otherwise sampling at this temperature. */
  temperature: number;
  /** Nucleus mass for sampling, (0, 1]. */
  topP: number;
  /** Seed of the sampler (same seed, same tokens). */
  seed: number;
  /** Keep generating past an end-of-sequence token (benchmarks use it for a fixed length). */
  ignoreEos?: boolean;
}

/** What to generate from: chat messages (rendered with the checkpoint's chat template), a text, or token ids. */
export interface PromptInput {
  messages?: { role: string; content: string }[];
  /** The rendered prompt, used as-is (with `messages`, the chat template only cross-checks it). */
  text?: string;
  /** Token ids, bypassing the tokenizer (tests, benchmarks). */
  ids?: number[];
}

export interface LoadedModel {
  dir: string;
  /** Execution provider actually in use. */
  provider: "cpu" | "cuda";
  /** Why a requested provider was not used, if so. */
  providerNote?: string;
  numLayers: number;
  vocabSize: number;
  eosTokenIds: number[];
  hasChatTemplate: boolean;
  loadMs: number;
}

export type StopReason = "eos" | "length" | "cancelled";

export interface GenerateResult {
  /** Generated token ids (no prompt, no end-of-sequence token). */
  tokenIds: number[];
  text: string;
  promptText: string;
  promptTokens: number;
  stopReason: StopReason;
  /** Time of the first step (prompt processing + first token). */
  firstTokenMs: number;
  totalMs: number;
  /** Generated tokens per second over the whole generation, prompt step included. */
  tokensPerSecond: number;
}

export type ToWorker =
  | { type: "load"; dir: string; executionProvider: ExecutionProviderSetting; intraOpNumThreads?: number }
  | { type: "generate"; id: number; prompt: PromptInput; options: GenerateOptions }
  | { type: "cancel"; id: number }
  | { type: "unload" };

export type FromWorker =
  | { type: "loaded"; model: LoadedModel }
  | { type: "started"; id: number; promptText: string; promptTokens: number; note?: string }
  | { type: "token"; id: number; tokenId: number; text: string }
  | { type: "done"; id: number; result: GenerateResult }
  | { type: "error"; id?: number; message: string; kind: "checkpoint" | "runtime" };

/** Index in the shared cancel array: the worker stops the generation whose id is stored there. */
export const CANCEL_SLOT = 0;
