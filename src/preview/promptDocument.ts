/**
 * "Preview prompt" on dataset lines: a CodeLens per sample, and `tooln1.previewPrompt`, which shows
 * the line rendered with the training template (src/core/template.ts) as a read-only document.
 */
import * as vscode from "vscode";
import type { Ctx } from "../context";
import type { Sample } from "../core/types";
import { buildMessages, renderChatML } from "../core/template";

const MAX_LENSES = 5000;

export function activatePromptPreview(ctx: Ctx): void {
  const scheme = "tooln1-prompt";
  const prompts = new Map<string, string>();
  const changed = new vscode.EventEmitter<vscode.Uri>();
  ctx.push(
    changed,
    vscode.workspace.registerTextDocumentContentProvider(scheme, { onDidChange: changed.event, provideTextDocumentContent: (uri) => prompts.get(uri.toString()) ?? "" }),
    vscode.languages.registerCodeLensProvider([{ language: "tooln1-dataset" }], {
      provideCodeLenses(doc) {
        const lenses: vscode.CodeLens[] = [];
        for (let l = 0; l < doc.lineCount && lenses.length < MAX_LENSES; l++) {
          if (doc.lineAt(l).text.startsWith("{"))
            lenses.push(new vscode.CodeLens(new vscode.Range(l, 0, l, 0), { title: "Preview prompt", command: "tooln1.previewPrompt", arguments: [doc.uri.toString(), l] }));
        }
        return lenses;
      },
    }),
  );
  ctx.registerCommands({
    "tooln1.previewPrompt": async (uriArg: unknown, lineArg: unknown) => {
      const uri = typeof uriArg === "string" ? vscode.Uri.parse(uriArg) : vscode.window.activeTextEditor?.document.uri;
      if (!uri) throw new Error("open a dataset file first");
      const doc = await vscode.workspace.openTextDocument(uri);
      const line = typeof lineArg === "number" ? lineArg : (vscode.window.activeTextEditor?.selection.active.line ?? 0);
      let sample: Sample;
      try {
        sample = JSON.parse(doc.lineAt(line).text) as Sample;
      } catch (e) {
        throw new Error(`line ${line + 1} is not JSON (${e instanceof Error ? e.message : String(e)}); fix it to preview its prompt`, { cause: e });
      }
      const text = renderChatML(buildMessages(sample));
      const target = vscode.Uri.from({ scheme, path: `/${doc.uri.path.split("/").pop()}-line-${line + 1}.prompt.txt` });
      prompts.set(target.toString(), text);
      changed.fire(target);
      const shown = await vscode.workspace.openTextDocument(target);
      await vscode.window.showTextDocument(shown, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    },
  });
}
