import * as vscode from "vscode";

export { Disposable } from "./dispose";

/**
 * The extension's one context: what lives as long as the extension (subscriptions, the log)
 * and helpers every feature needs. Features get it in their `activate*` function.
 */
export class Ctx {
  readonly log: vscode.LogOutputChannel;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel("Tool-N1", { log: true });
    extension.subscriptions.push(this.log);
  }

  push(...d: vscode.Disposable[]): void {
    this.extension.subscriptions.push(...d);
  }

  asAbsolutePath(rel: string): string {
    return this.extension.asAbsolutePath(rel);
  }

  /** Registers commands from a table; a command's failure is logged and shown, never swallowed. */
  registerCommands(table: Record<string, (...args: unknown[]) => unknown>): void {
    for (const [id, fn] of Object.entries(table)) {
      this.push(
        vscode.commands.registerCommand(id, async (...args: unknown[]) => {
          try {
            return await fn(...args);
          } catch (e) {
            const msg = e instanceof Error ? e.message : String(e);
            this.log.error(`${id}: ${e instanceof Error && e.stack ? e.stack : msg}`);
            void vscode.window.showErrorMessage(`Tool-N1: ${msg}`, "Show Log").then((a) => {
              if (a) this.log.show();
            });
            return undefined;
          }
        }),
      );
    }
  }

  /** Workspace Trust gate for anything that launches a process. Says why it cannot run. */
  async requireTrust(action: string): Promise<boolean> {
    if (vscode.workspace.isTrusted) return true;
    const pick = await vscode.window.showWarningMessage(
      `Tool-N1: ${action} launches a process, which is disabled in an untrusted workspace. Trust this workspace to continue.`,
      "Manage Workspace Trust",
    );
    if (pick) await vscode.commands.executeCommand("workbench.trust.manage");
    return false;
  }
}
