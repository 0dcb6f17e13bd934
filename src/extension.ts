import * as vscode from "vscode";
import { Ctx } from "./context";
import { activateLanguageClient } from "./lsp/client";
import { activateTraining } from "./training/activate";
import { activateRollouts } from "./rollouts/activate";
import { activatePreview } from "./preview/activate";
import { activateScoring } from "./scoring";
import { activateEvaluation } from "./evaluation/activate";

/** Wiring only: each feature registers itself from its own module. */
export async function activate(context: vscode.ExtensionContext): Promise<{ ctx: Ctx }> {
  const ctx = new Ctx(context);
  ctx.registerCommands({ "tooln1.showLog": () => ctx.log.show() });
  activateTraining(ctx);
  activateRollouts(ctx);
  activatePreview(ctx);
  activateScoring(ctx);
  activateEvaluation(ctx);
  await activateLanguageClient(ctx);
  ctx.log.info("Tool-N1 Studio activated");
  return { ctx };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
