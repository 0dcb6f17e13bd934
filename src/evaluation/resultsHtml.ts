/** The BFCL results view's HTML shell (pure: no vscode import). CSP: nothing by default; the one
 * script only with its nonce; styles only from the webview's resource origin. */
export interface ResultsHtmlParts {
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
}

export function resultsHtml(p: ResultsHtmlParts): string {
  const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  // Built from our own values only (the nonce is base64, cspSource a URI origin).
  const csp = [`default-src 'none'`, `script-src 'nonce-${p.nonce}'`, `style-src ${p.cspSource}`, `font-src ${p.cspSource}`].join("; ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${esc(p.styleUri)}">
<title>Tool-N1 BFCL Results</title>
</head>
<body>
<div id="app"></div>
<script nonce="${esc(p.nonce)}" src="${esc(p.scriptUri)}"></script>
</body>
</html>`;
}
