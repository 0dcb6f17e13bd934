/**
 * The dashboard webview's HTML (pure: the panel host and the headless-browser tests share it).
 * CSP: nothing by default; scripts only with the nonce, styles and scripts only from the
 * webview's resource origin.
 */
export interface DashboardHtmlOptions {
  /** `webview.cspSource` (or the test page's origin). */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce: string;
}

export function dashboardHtml(o: DashboardHtmlOptions): string {
  const csp = [
    "default-src 'none'",
    `img-src ${o.cspSource} data:`,
    `style-src ${o.cspSource}`,
    `font-src ${o.cspSource}`,
    `script-src 'nonce-${o.nonce}'`,
  ].join("; ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${o.styleUri}">
<title>Tool-N1 Run Dashboard</title>
</head>
<body>
<div id="app"></div>
<script nonce="${o.nonce}" src="${o.scriptUri}"></script>
</body>
</html>`;
}

/** A fresh nonce: 32 characters from a CSPRNG. */
export function makeNonce(): string {
  const bytes = new Uint8Array(24);
  globalThis.crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString("base64").replace(/[+/=]/g, "x");
}
