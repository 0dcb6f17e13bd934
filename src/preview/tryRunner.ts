/**
 * "Try a model" between the panel and the generation worker: builds the prompt, streams the
 * generated text to the webview in batches of about one frame, stops on request. No vscode
 * import: the panel owns trust and the checkpoint dialog; tests drive this with a real worker and
 * the real webview.
 */
import type { GenerationHandle, InferenceClient } from "../inference/client";
import type { HostToWebview, SamplingSettings } from "../../common/preview/protocol";
import { buildTryPrompt } from "./prompt";

export class TryRunner {
  private generation: GenerationHandle | null = null;

  constructor(
    private readonly client: InferenceClient,
    private readonly post: (m: HostToWebview) => void,
    private readonly batchMs = 16,
  ) {}

  get running(): boolean {
    return this.generation !== null;
  }

  stop(): void {
    this.generation?.cancel();
  }

  /** Generates for `query` with the tools of `toolsText`; everything it reports goes to the webview. */
  async run(toolsText: string | null, query: string, sampling: SamplingSettings): Promise<void> {
    if (!query.trim()) {
      this.post({ type: "genError", message: "Write a user query first." });
      return;
    }
    this.generation?.cancel();
    const prompt = buildTryPrompt(toolsText, query);
    let pending = "";
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      clearTimeout(timer);
      timer = undefined;
      if (pending) this.post({ type: "genText", text: pending });
      pending = "";
    };
    const handle = this.client.generate(
      { messages: prompt.messages, text: prompt.text },
      {
        maxNewTokens: Math.max(1, Math.floor(sampling.maxNewTokens) || 1),
        temperature: Math.max(0, sampling.temperature || 0),
        topP: sampling.topP > 0 && sampling.topP <= 1 ? sampling.topP : 1,
        seed: Math.floor(sampling.seed) || 0,
      },
      (_id, text) => {
        pending += text;
        timer ??= setTimeout(flush, this.batchMs);
      },
    );
    this.generation = handle;
    try {
      const s = await handle.started;
      const notes = [...prompt.notes, ...(s.note ? [s.note] : [])];
      this.post({ type: "genStarted", promptText: s.promptText, promptTokens: s.promptTokens, note: notes.join(" ") || undefined });
      const r = await handle.result;
      flush();
      this.post({
        type: "genDone",
        text: r.text,
        summary: { stopReason: r.stopReason, tokens: r.tokenIds.length, promptTokens: r.promptTokens, tokensPerSecond: r.tokensPerSecond, totalMs: r.totalMs },
      });
    } catch (e) {
      clearTimeout(timer);
      this.post({ type: "genError", message: (e as Error).message });
    } finally {
      if (this.generation === handle) this.generation = null;
    }
  }
}
