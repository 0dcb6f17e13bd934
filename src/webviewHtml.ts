/**
 * The HTML shell and Content-Security-Policy of every webview (dashboard, rollout inspector,
 * preview). Pure (no vscode import) so the webview tests serve exactly the page the panels serve.
 * The policy starts from `default-src 'none'`; scripts run only with the page's nonce; each page
 * opts into the little more it needs (Monaco: inline styles, its workers from blob: URLs).
 */
export interface WebviewPage {
  /** `webview.cspSource` (or the test server's origin). */
  cspSource: string;
  /** From `makeNonce()`: a fresh one for every page. */
  nonce: string;
  title: string;
  /** URL of the page's script (`webview.asWebviewUri`). */
  script: string;
  /** URLs of its style sheets. */
  styles: string[];
  /** `data-*` attributes of `<body>` (names in camelCase, as `dataset` reads them). */
  bodyData?: Record<string, string>;
  /** Monaco sets inline styles on its elements: allow `style-src 'unsafe-inline'`. */
  inlineStyles?: boolean;
  /** Workers whose scripts are fetched from the extension's files and started from blob: URLs. */
  blobWorkers?: boolean;
}

/** The page's Content-Security-Policy. */
export function webviewCsp(p: Pick<WebviewPage, "cspSource" | "nonce" | "inlineStyles" | "blobWorkers">): string {
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${p.nonce}'`,
    `style-src ${p.cspSource}${p.inlineStyles ? " 'unsafe-inline'" : ""}`,
    `font-src ${p.cspSource}`,
    `img-src ${p.cspSource} data:`,
  ];
  if (p.blobWorkers) csp.push(`connect-src ${p.cspSource}`, "worker-src blob:");
  return csp.join("; ");
}

/** Escapes text for a double-quoted HTML attribute value or element content. */
const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

export function webviewHtml(p: WebviewPage): string {
  const data = Object.entries(p.bodyData ?? {})
    .map(([k, v]) => ` data-${kebab(k)}="${esc(v)}"`)
    .join("");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${esc(webviewCsp(p))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${p.styles.map((s) => `<link rel="stylesheet" href="${esc(s)}">`).join("\n")}
<title>${esc(p.title)}</title>
</head>
<body${data}>
<script nonce="${esc(p.nonce)}" src="${esc(p.script)}"></script>
</body>
</html>`;
}

/** A fresh nonce: 32 hex digits from a CSPRNG. */
export function makeNonce(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
