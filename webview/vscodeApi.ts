/**
 * The handle a webview gets on its extension host, declared once for every webview. `ToHost` is
 * the webview's message union (common/<name>/protocol.ts); `State` is what it keeps with setState.
 * Call `vscodeApi()` once per page: VS Code hands the handle out only once.
 */
export interface VsCodeApi<ToHost, State> {
  postMessage(message: ToHost): void;
  /** What the page last saved, or undefined on its first load. */
  getState(): State | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi(): VsCodeApi<unknown, unknown>;

export function vscodeApi<ToHost, State>(): VsCodeApi<ToHost, State> {
  return acquireVsCodeApi() as VsCodeApi<ToHost, State>;
}
