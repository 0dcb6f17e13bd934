/**
 * Worker thread that owns a RolloutTable: indexes the files off the extension host's main thread,
 * posts progress, and answers queries. Protocol: src/rollouts/indexClient.ts.
 */
import { parentPort } from "node:worker_threads";
import { RolloutTable } from "./rolloutTable";
import type { WorkerRequest, WorkerMessage } from "./indexClient";

const port = parentPort;
if (!port) throw new Error("index.worker must run as a worker thread");

let table: RolloutTable | null = null;
let stopFollow: (() => void) | null = null;
const post = (m: WorkerMessage): void => port.postMessage(m);

async function handle(req: WorkerRequest): Promise<unknown> {
  if (req.op === "open") {
    table?.dispose();
    table = new RolloutTable({ variant: req.variant, maxLineBytes: req.maxLineBytes });
    for (const p of req.paths) await table.addPath(p);
    const t = table;
    let last = 0;
    // indexing continues after this request is answered; progress goes out as events
    void t
      .indexAll((p) => {
        const now = Date.now();
        if (p.done || now - last > 150) {
          last = now;
          post({ event: "progress", progress: p });
        }
      })
      .then(() => {
        post({ event: "progress", progress: t.progress() });
        if (req.follow && t === table) stopFollow = t.follow(() => post({ event: "progress", progress: t.progress() }));
      });
    return { files: t.files.map((f) => f.src) };
  }
  const t = table;
  if (!t) throw new Error("no rollouts open");
  switch (req.op) {
    case "query":
      return t.query(req.query);
    case "detail":
      return t.detail(req.row);
    case "details":
      return Promise.all(req.rows.map((r) => t.detail(r)));
    case "group":
      return t.groupOfRow(req.row);
    case "history":
      return t.history(req.promptId);
    case "summary":
      return t.stepSummaries();
    case "rowOfLine": {
      const fi = t.files.findIndex((f) => f.src.path === req.path);
      return fi < 0 ? -1 : t.rowOfLine(fi, req.line);
    }
    case "progress":
      return t.progress();
    case "close":
      stopFollow?.();
      t.dispose();
      table = null;
      return null;
  }
}

port.on("message", (req: WorkerRequest) => {
  handle(req).then(
    (result) => post({ id: req.id, ok: true, result }),
    (e: unknown) => post({ id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) }),
  );
});
