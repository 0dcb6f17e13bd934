import * as vscode from "vscode";
import type { Ctx } from "../context";
import { PREVIEW_VIEW_TYPE, PreviewPanel } from "./panel";
import { prefillFromLine, toPrefill } from "./args";
import { activatePromptPreview } from "./promptDocument";

/**
 * The preview: `tooln1.openPreview` (optionally prefilled, see OpenPreviewArgs in ./args),
 * `tooln1.tryModel`, the serializer that restores the panel after a reload, and "Preview prompt" on
 * dataset lines (./promptDocument).
 */
export function activatePreview(ctx: Ctx): void {
  activatePromptPreview(ctx);
  ctx.registerCommands({
    "tooln1.openPreview": (arg?: unknown) => {
      // From the editor title of a rollout or dataset file VS Code passes the file's URI:
      // prefill from the line under the cursor.
      if (arg instanceof vscode.Uri || arg === undefined) {
        const ed = vscode.window.activeTextEditor;
        const fromLine =
          ed && (arg === undefined || ed.document.uri.toString() === (arg as vscode.Uri).toString())
            ? prefillFromLine(ed.document.lineAt(ed.selection.active.line).text)
            : null;
        PreviewPanel.show(ctx, fromLine ?? undefined);
        return;
      }
      const { prefill, toolsUri } = toPrefill(arg);
      PreviewPanel.show(ctx, prefill, toolsUri);
    },
    "tooln1.tryModel": async (arg?: unknown) => {
      const { prefill, toolsUri } = toPrefill(arg);
      const panel = PreviewPanel.show(ctx, prefill, toolsUri);
      await panel.focusTry();
    },
  });
  ctx.push(
    vscode.window.registerWebviewPanelSerializer(PREVIEW_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel) {
        PreviewPanel.revive(ctx, panel);
      },
    }),
    { dispose: () => PreviewPanel.active?.dispose() },
  );
}
