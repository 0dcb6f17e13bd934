/**
 * The preview webview's HTML and Content-Security-Policy, as tight as Monaco allows. Pure (no
 * vscode import) so the webview tests serve exactly what the panel serves.
 */
export interface PreviewHtmlInput {
  /** webview.cspSource */
  cspSource: string;
  nonce: string;
  /** URL of a file in dist/webview (webview.asWebviewUri). */
  asset: (file: string) => string;
}

export function previewCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    // Monaco sets inline styles on its elements: it cannot run without 'unsafe-inline' styles.
    `style-src ${cspSource} 'unsafe-inline'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    // Monaco's workers: the scripts are fetched from the extension's own files and started from blob URLs.
    `connect-src ${cspSource}`,
    "worker-src blob:",
  ].join("; ");
}

const attr = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

export function previewHtml({ cspSource, nonce, asset }: PreviewHtmlInput): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(previewCsp(cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(asset("preview.css"))}">
<title>Tool-N1 Preview</title>
</head>
<body data-editor-worker="${attr(asset("editor.worker.js"))}" data-json-worker="${attr(asset("json.worker.js"))}">
<script nonce="${attr(nonce)}" src="${attr(asset("preview.js"))}"></script>
</body>
</html>`;
}
