// dashboard webview (browser code only).
export {};
