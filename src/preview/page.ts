/** The preview's page: its assets and the CSP allowances Monaco needs. Pure, so the webview tests serve the same page. */
import { webviewHtml } from "../webviewHtml";

/** `asset(file)`: the URL of a file in dist/webview (webview.asWebviewUri). */
export function previewHtml(cspSource: string, nonce: string, asset: (file: string) => string): string {
  return webviewHtml({
    cspSource,
    nonce,
    title: "Tool-N1 Preview",
    script: asset("preview.js"),
    styles: [asset("preview.css")],
    bodyData: { editorWorker: asset("editor.worker.js"), jsonWorker: asset("json.worker.js") },
    inlineStyles: true,
    blobWorkers: true,
  });
}
