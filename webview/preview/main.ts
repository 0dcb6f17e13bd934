// preview webview (browser code only).
export {};
