// inspector webview (browser code only).
export {};
