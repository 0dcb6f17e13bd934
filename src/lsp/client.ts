import type { Ctx } from "../context";

/** Starts the tool-schema language server and registers its commands. */
export async function activateLanguageClient(_ctx: Ctx): Promise<void> {
  // filled in by the language-server issue
}
