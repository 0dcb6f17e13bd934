/** A real LSP client over stdio for the server tests and benchmarks: spawns `node dist/server.js --stdio`. */
import { spawn, type ChildProcess } from "node:child_process";
import { SERVER_EXEC_ARGV } from "../../language-server/protocol";
import { join } from "node:path";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from "vscode-jsonrpc/node";
import type { Diagnostic, PublishDiagnosticsParams } from "vscode-languageserver-protocol";

export const SERVER = join(__dirname, "..", "..", "..", "dist", "server.js");

export interface Client {
  conn: MessageConnection;
  proc: ChildProcess;
  /** Resolves with the first diagnostics for `uri` whose version is at least `version` (any version if omitted). */
  diagnostics(uri: string, version?: number, timeoutMs?: number): Promise<Diagnostic[]>;
  latest(uri: string): PublishDiagnosticsParams | undefined;
  close(): Promise<void>;
  stderr(): string;
}

export async function startServer(opts: { maxDiagnostics?: number; server?: string; env?: Record<string, string> } = {}): Promise<Client> {
  // Started as the extension starts it (language-server/protocol.ts SERVER_EXEC_ARGV).
  const proc = spawn(process.execPath, [...SERVER_EXEC_ARGV, opts.server ?? SERVER, "--stdio"], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...opts.env } });
  let err = "";
  proc.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  const latest = new Map<string, PublishDiagnosticsParams>();
  const waiters: { uri: string; version?: number; resolve: (d: Diagnostic[]) => void }[] = [];
  conn.onNotification("textDocument/publishDiagnostics", (p: PublishDiagnosticsParams) => {
    latest.set(p.uri, p);
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i];
      if (w.uri === p.uri && (w.version === undefined || (p.version ?? -1) >= w.version)) {
        waiters.splice(i, 1);
        w.resolve(p.diagnostics);
      }
    }
  });
  conn.onRequest("workspace/configuration", (p: { items: { section?: string }[] }) => p.items.map((it) => (it.section === "tooln1.maxDiagnosticsPerFile" ? (opts.maxDiagnostics ?? null) : null)));
  conn.onRequest("client/registerCapability", () => null);
  conn.onNotification("window/logMessage", () => undefined);
  conn.listen();
  await conn.sendRequest("initialize", {
    processId: process.pid,
    rootUri: null,
    capabilities: { workspace: { configuration: opts.maxDiagnostics !== undefined }, textDocument: { publishDiagnostics: { versionSupport: true } } },
  });
  await conn.sendNotification("initialized", {});
  return {
    conn,
    proc,
    latest: (uri) => latest.get(uri),
    diagnostics(uri, version, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no diagnostics for ${uri} v${version} within ${timeoutMs} ms; stderr: ${err.slice(-2000)}`)), timeoutMs);
        waiters.push({
          uri,
          ...(version !== undefined ? { version } : {}),
          resolve: (d) => {
            clearTimeout(t);
            resolve(d);
          },
        });
      });
    },
    async close() {
      try {
        await conn.sendRequest("shutdown");
        await conn.sendNotification("exit");
      } catch {
        // already gone
      }
      conn.dispose();
      if (proc.exitCode === null) {
        await new Promise<void>((res) => {
          const t = setTimeout(() => {
            proc.kill("SIGKILL");
            res();
          }, 3000);
          proc.once("exit", () => {
            clearTimeout(t);
            res();
          });
        });
      }
    },
    stderr: () => err,
  };
}
