/**
 * Generation worker (a Node worker thread, bundled to dist/generate.worker.js). Owns one loaded
 * checkpoint at a time and runs generations one after another, streaming tokens back.
 * Cancel: the host writes the generation id into the shared Int32Array (checked before every
 * decode step, so it works even while this thread is busy) and also posts a "cancel" message.
 */
import { parentPort, workerData } from "node:worker_threads";
import { Engine } from "./engine";
import { CheckpointError } from "./checkpoint";
import { CANCEL_SLOT, type FromWorker, type ToWorker } from "./protocol";

const port = parentPort;
if (!port) throw new Error("generate.worker must run as a worker thread");
const cancel = new Int32Array((workerData as { cancel: SharedArrayBuffer }).cancel);
const post = (m: FromWorker) => port.postMessage(m);

let engine: Engine | null = null;
// Messages are handled strictly in order: a generate after a load waits for the load.
let queue: Promise<void> = Promise.resolve();

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case "load": {
      const old = engine;
      engine = null;
      if (old) await old.dispose();
      try {
        engine = await Engine.load(msg.dir, { executionProvider: msg.executionProvider, intraOpNumThreads: msg.intraOpNumThreads });
        post({ type: "loaded", model: engine.loaded });
      } catch (e) {
        post({ type: "error", message: (e as Error).message, kind: e instanceof CheckpointError ? "checkpoint" : "runtime" });
      }
      return;
    }
    case "generate": {
      const { id } = msg;
      if (!engine) {
        post({ type: "error", id, message: "No model is loaded: choose an exported checkpoint folder first.", kind: "checkpoint" });
        return;
      }
      try {
        const rendered = msg.prompt.ids ? { text: "" } : engine.renderPrompt(msg.prompt);
        const promptText = rendered.text;
        const ids = msg.prompt.ids ?? engine.encode(promptText);
        post({ type: "started", id, promptText, promptTokens: ids.length, note: rendered.note });
        const result = await engine.generate(
          ids,
          msg.options,
          (tokenId, text) => post({ type: "token", id, tokenId, text }),
          () => Atomics.load(cancel, CANCEL_SLOT) === id,
        );
        post({ type: "done", id, result: { ...result, promptText } });
      } catch (e) {
        post({ type: "error", id, message: (e as Error).message, kind: e instanceof CheckpointError ? "checkpoint" : "runtime" });
      }
      return;
    }
    case "cancel":
      Atomics.store(cancel, CANCEL_SLOT, msg.id);
      return;
    case "unload": {
      const old = engine;
      engine = null;
      if (old) await old.dispose();
      return;
    }
  }
}

port.on("message", (msg: ToWorker) => {
  // A cancel must not wait behind the generation it cancels.
  if (msg.type === "cancel") void handle(msg);
  else queue = queue.then(() => handle(msg));
});
