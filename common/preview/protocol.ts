/**
 * The preview panel's message protocol, shared by the extension host (src/preview/panel.ts) and
 * the webview (webview/preview/main.ts). One discriminated union per direction.
 *
 * Handshake: the webview sends `ready` (with what it restored from getState); the host answers
 * with `init`. Later the host pushes `schema` whenever the chosen tool schema file changes, and
 * streams a generation as `genStarted`, `genText`... then `genDone` or `genError`.
 * Everything here is data: the webview renders model text with textContent only.
 */
import { int, messageGuard, nat, nullable, num, obj, opt, str } from "../guard";

/** Where the tools the calls are checked against come from. */
export interface ToolSource {
  /** A workspace schema file's URI, or "" for tools given inline (a sample or rollout). */
  uri: string;
  label: string;
  /** The tool list as JSON text (a schema file's content, or inline tools serialised). */
  text: string;
}

export interface SchemaFileEntry {
  uri: string;
  label: string;
}

export interface SamplingSettings {
  maxNewTokens: number;
  /** 0 = greedy. */
  temperature: number;
  topP: number;
  seed: number;
}

/** Prefill sent by the inspector or the CodeLens (through `tooln1.openPreview`). */
export interface Prefill {
  completion?: string;
  /** Ground-truth calls as JSON text. */
  groundTruth?: string;
  tools?: ToolSource;
  query?: string;
}

export interface PersistedState {
  completion: string;
  groundTruth: string;
  schemaUri: string;
  query: string;
  sampling: SamplingSettings;
}

export interface CheckpointInfo {
  dir: string;
  provider: "cpu" | "cuda";
  providerNote?: string;
  hasChatTemplate: boolean;
}

export interface GenerationSummary {
  stopReason: "eos" | "length" | "cancelled";
  tokens: number;
  promptTokens: number;
  tokensPerSecond: number;
  totalMs: number;
}

export type HostToWebview =
  | {
      type: "init";
      schemaFiles: SchemaFileEntry[];
      tools: ToolSource | null;
      prefill: Prefill | null;
      checkpoint: CheckpointInfo | null;
      /** Whether this workspace is trusted (Try a model needs it). */
      trusted: boolean;
    }
  | { type: "schemaFiles"; files: SchemaFileEntry[] }
  | { type: "schema"; tools: ToolSource | null; error?: string }
  | { type: "prefill"; prefill: Prefill }
  | { type: "checkpoint"; checkpoint: CheckpointInfo | null; error?: string; loading?: string }
  | { type: "focusTry" }
  | { type: "genStarted"; promptText: string; promptTokens: number; note?: string }
  | { type: "genText"; text: string }
  | { type: "genDone"; text: string; summary: GenerationSummary }
  | { type: "genError"; message: string };

export type WebviewToHost =
  | { type: "ready"; state: PersistedState | null }
  | { type: "chooseSchema"; uri: string }
  | { type: "chooseCheckpoint" }
  | { type: "generate"; query: string; sampling: SamplingSettings }
  | { type: "stop" }
  | { type: "openSchemaFile"; uri: string };

const sampling = obj({ maxNewTokens: nat, temperature: num, topP: num, seed: int });

/** Every message the preview webview may post, checked (common/guard.ts). */
export const isWebviewToHost = messageGuard<WebviewToHost>({
  ready: { state: nullable(obj({ completion: opt(str), groundTruth: opt(str), schemaUri: opt(str), query: opt(str), sampling: opt(sampling) })) },
  chooseSchema: { uri: str },
  chooseCheckpoint: {},
  generate: { query: str, sampling },
  stop: {},
  openSchemaFile: { uri: str },
});

export const DEFAULT_SAMPLING: SamplingSettings = { maxNewTokens: 256, temperature: 0, topP: 1, seed: 0 };
