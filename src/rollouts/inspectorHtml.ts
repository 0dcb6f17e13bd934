/** The inspector's HTML shell (no vscode import, so tests serve the very same page). */
export interface InspectorHtmlParts {
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  title: string;
}

export function inspectorHtml(p: InspectorHtmlParts): string {
  const csp = [`default-src 'none'`, `script-src 'nonce-${p.nonce}'`, `style-src ${p.cspSource}`, `img-src ${p.cspSource}`, `font-src ${p.cspSource}`].join("; ");
  const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0"><link rel="stylesheet" href="${esc(p.styleUri)}"><title>${esc(p.title)}</title></head>
<body><script nonce="${esc(p.nonce)}" src="${esc(p.scriptUri)}"></script></body></html>`;
}
