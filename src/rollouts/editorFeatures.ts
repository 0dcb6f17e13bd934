/**
 * Rollouts inline in the text editor: a verdict at the end of each rollout line, CodeLens "Inspect",
 * a hover with the reasoning and the calls beside the ground truth. Only the visible lines (plus a
 * margin) are parsed, so big files stay cheap.
 */
import * as vscode from "vscode";
import type { Ctx } from "../context";
import { Config } from "../config";
import type { RolloutRecord } from "../core/types";
import { GroupCounter, detectLineFormat, normalizeRollout, stepFromFileName } from "../node/rolloutSources";
import { verdictText } from "./explain";
import { rolloutHoverMarkdown } from "./hoverText";

const MAX_LINE = 1 << 20;
const MAX_LENSES = 5000;

export function isRolloutDocument(doc: vscode.TextDocument): boolean {
  return doc.languageId === "tooln1-rollouts" || /\.rollouts\.jsonl$/.test(doc.fileName) || /[\\/]rollouts[\\/]step-\d+\.jsonl$/.test(doc.fileName);
}

/** The rollout on one line of a document, or null (blank, not JSON, not a rollout). */
export function rolloutAt(doc: vscode.TextDocument, line: number): RolloutRecord | null {
  if (line < 0 || line >= doc.lineCount) return null;
  const text = doc.lineAt(line).text;
  if (text.length === 0 || text.length > MAX_LINE || text[0] !== "{") return null;
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    return null;
  }
  const format = detectLineFormat(obj);
  if (!format) return null;
  const r = normalizeRollout(obj, { format, variant: new Config(doc.uri).reward, fileStep: stepFromFileName(doc.fileName), groups: new GroupCounter() });
  return "error" in r ? null : r;
}

class RolloutLens extends vscode.CodeLens {
  constructor(
    readonly doc: vscode.TextDocument,
    readonly line: number,
  ) {
    super(new vscode.Range(line, 0, line, 0));
  }
}

/** "Inspect · 0.0: wrong argument value calls[0].arguments.city "Paris" vs "London"" (plain text). */
export function lensTitle(doc: vscode.TextDocument, line: number): string {
  const r = rolloutAt(doc, line);
  return r ? `Inspect · ${verdictText(r, 120)}` : "Inspect";
}

export function activateEditorFeatures(ctx: Ctx): void {
  const deco = vscode.window.createTextEditorDecorationType({
    after: { margin: "0 0 0 2em", color: new vscode.ThemeColor("editorCodeLens.foreground"), fontStyle: "italic" },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  ctx.push(deco);

  const decorate = (editor: vscode.TextEditor | undefined): void => {
    if (!editor || !isRolloutDocument(editor.document)) return;
    if (!new Config(editor.document.uri).inlineRolloutDecorations) {
      editor.setDecorations(deco, []);
      return;
    }
    const doc = editor.document;
    const opts: vscode.DecorationOptions[] = [];
    for (const vr of editor.visibleRanges) {
      const from = Math.max(0, vr.start.line - 50);
      const to = Math.min(doc.lineCount - 1, vr.end.line + 50);
      for (let l = from; l <= to; l++) {
        const r = rolloutAt(doc, l);
        if (!r) continue;
        const end = doc.lineAt(l).range.end;
        // contentText is plain text: model text cannot become markup here
        opts.push({ range: new vscode.Range(end, end), renderOptions: { after: { contentText: verdictText(r) } } });
      }
    }
    editor.setDecorations(deco, opts);
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const soon = (e: vscode.TextEditor | undefined): void => {
    clearTimeout(timer);
    timer = setTimeout(() => decorate(e), 100);
  };
  ctx.push(
    vscode.window.onDidChangeActiveTextEditor(soon),
    vscode.window.onDidChangeTextEditorVisibleRanges((e) => soon(e.textEditor)),
    vscode.workspace.onDidChangeTextDocument((e) => {
      const ed = vscode.window.activeTextEditor;
      if (ed && e.document === ed.document) soon(ed);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("tooln1")) for (const ed of vscode.window.visibleTextEditors) decorate(ed);
    }),
    new vscode.Disposable(() => clearTimeout(timer)),
  );
  for (const ed of vscode.window.visibleTextEditors) decorate(ed);

  const rolloutSelector: vscode.DocumentSelector = [{ language: "tooln1-rollouts" }, { pattern: "**/*.rollouts.jsonl" }];
  ctx.push(
    // The lens above each rollout line carries its verdict (reward, reason, mismatch path), where the
    // eye is: the decoration at the end of a long line can be thousands of characters away.
    // Resolved lazily: the editor asks only for the lenses it shows.
    vscode.languages.registerCodeLensProvider(rolloutSelector, {
      provideCodeLenses(doc) {
        const lenses: RolloutLens[] = [];
        for (let l = 0; l < doc.lineCount && lenses.length < MAX_LENSES; l++) {
          if (doc.lineAt(l).text.startsWith("{")) lenses.push(new RolloutLens(doc, l));
        }
        return lenses;
      },
      resolveCodeLens(lens) {
        if (!(lens instanceof RolloutLens)) return lens;
        lens.command = { title: lensTitle(lens.doc, lens.line), command: "tooln1.inspectRollouts", arguments: [{ uri: lens.doc.uri.toString(), line: lens.line }] };
        return lens;
      },
    }),
    vscode.languages.registerHoverProvider(rolloutSelector, {
      provideHover(doc, pos) {
        const r = rolloutAt(doc, pos.line);
        if (!r) return null;
        const md = new vscode.MarkdownString(rolloutHoverMarkdown(r, new Config(doc.uri).reward));
        md.isTrusted = false;
        md.supportHtml = false;
        md.supportThemeIcons = false;
        return new vscode.Hover(md, doc.lineAt(pos.line).range);
      },
    }),
  );
}
