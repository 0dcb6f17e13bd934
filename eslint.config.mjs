// Lint for the whole TypeScript tree. Fast, syntax-level rules (no type-aware pass; tsc type-checks).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

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
    // Architecture invariant: the pure core is shared by host, server, webviews, CLI and tests.
    files: ["src/core/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { paths: ["vscode"], patterns: ["vscode-*", "node:*", "fs", "path", "child_process", "worker_threads"] }] },
  },
  {
    files: ["language-server/**/*.ts", "src/cli/**/*.ts", "webview/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { paths: [{ name: "vscode", message: "Only src/ (the extension host) may import vscode." }] }] },
  },
);
