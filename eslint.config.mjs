// Lint for the whole TypeScript tree. Fast, syntax-level rules (no type-aware pass; tsc type-checks).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

// Architecture invariant: host code (the extension, the server, the CLI) and the shared protocols
// never import from webview/; a model both sides need lives in common/.
const NO_WEBVIEW = { regex: "(^|/)webview/", message: "Host code never imports from webview/: a model both sides need lives in common/ (docs/architecture.md)." };
const NODE_BUILTINS = ["node:*", "fs", "path", "child_process", "worker_threads", "crypto", "os"];

export default tseslint.config(
  { ignores: ["node_modules/**", "dist/**", "out/**", ".venv/**", ".venv-bfcl/**", "dist-vsix/**", ".e2e/**", "test-output/**", "trainer/**", "media/**", "**/*.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: "readonly", process: "readonly", Buffer: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", URL: "readonly", TextEncoder: "readonly", TextDecoder: "readonly", performance: "readonly", queueMicrotask: "readonly", setImmediate: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "warn",
      "no-constant-condition": ["error", { checkLoops: false }],
    },
  },
  {
    files: ["src/**/*.ts", "language-server/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [NO_WEBVIEW] }] },
  },
  {
    // Architecture invariant: the pure core and the shared protocols are bundled into the host, the
    // server, every webview and the CLI: no vscode, no Node built-ins.
    files: ["src/core/**/*.ts", "common/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { paths: ["vscode"], patterns: [{ group: ["vscode-*", ...NODE_BUILTINS] }, NO_WEBVIEW] }] },
  },
  {
    // Only the extension host's wiring may import vscode: not the language server, the CLI, the
    // webviews, the Node helpers (src/node), nor the host modules kept vscode-free so that
    // `node --test` runs them (docs/architecture.md lists them).
    files: [
      "language-server/**/*.ts",
      "src/cli/**/*.ts",
      "src/node/**/*.ts",
      "webview/**/*.ts",
      "src/webviewHtml.ts",
      "src/dispose.ts",
      "src/training/runManager.ts",
      "src/training/statusBarText.ts",
      "src/training/runs.ts",
      "src/rollouts/rolloutTable.ts",
      "src/rollouts/inspectorSession.ts",
      "src/rollouts/indexClient.ts",
      "src/rollouts/explain.ts",
      "src/rollouts/hoverText.ts",
      "src/rollouts/*.worker.ts",
      "src/preview/tryRunner.ts",
      "src/preview/page.ts",
      "src/preview/prompt.ts",
      "src/preview/args.ts",
      "src/inference/**/*.ts",
    ],
    rules: { "no-restricted-imports": ["error", { paths: [{ name: "vscode", message: "Only the extension host's wiring in src/ may import vscode (docs/architecture.md)." }], patterns: [NO_WEBVIEW] }] },
  },
  {
    // Webviews run in a browser sandbox: no Node built-ins.
    files: ["webview/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { paths: [{ name: "vscode", message: "Webviews talk to the host with postMessage only." }], patterns: NODE_BUILTINS }],
    },
  },
);
