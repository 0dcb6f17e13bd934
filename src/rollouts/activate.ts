import type { Ctx } from "../context";

/** Registers this feature's commands, views and providers. */
export function activateRollouts(_ctx: Ctx): void {
  // filled in by the feature's issue
}
