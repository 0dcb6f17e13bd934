/**
 * Loads one of the bundled webview pages (dist/webview/<bundle>.js and .css) into a webview: scripts
 * on, command links off, nothing readable outside dist/webview, the shared HTML and CSP of
 * webviewHtml.ts with a fresh nonce.
 */
import * as vscode from "vscode";
import { makeNonce, webviewHtml } from "./webviewHtml";

export function loadWebviewPage(webview: vscode.Webview, extensionUri: vscode.Uri, bundle: string, title: string): void {
  const dist = vscode.Uri.joinPath(extensionUri, "dist", "webview");
  webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [dist] };
  webview.html = webviewHtml({
    cspSource: webview.cspSource,
    nonce: makeNonce(),
    title,
    script: webview.asWebviewUri(vscode.Uri.joinPath(dist, `${bundle}.js`)).toString(),
    styles: [webview.asWebviewUri(vscode.Uri.joinPath(dist, `${bundle}.css`)).toString()],
  });
}
