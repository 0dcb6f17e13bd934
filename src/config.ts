import * as vscode from "vscode";

export type RewardVariant = "binary" | "fine-grained" | "no-format" | "official";

/** Typed reader of the `tooln1.*` settings. Read per resource, never cached in globals. */
export class Config {
  /** Settings whose change needs a restart of the language client. */
  static readonly restartLanguageServerOn = ["tooln1.schemaFiles", "tooln1.datasetFiles"];

  private readonly cfg: vscode.WorkspaceConfiguration;

  constructor(scope?: vscode.ConfigurationScope) {
    this.cfg = vscode.workspace.getConfiguration("tooln1", scope);
  }

  /**
   * Interpreter path. Machine-scoped in package.json, and read here only from user/machine
   * levels (globalValue), so a workspace can never name an executable.
   */
  get pythonPath(): string {
    return this.cfg.inspect<string>("pythonPath")?.globalValue?.trim() ?? "";
  }
  /** The BFCL environment's interpreter (`make venv-bfcl`); user/machine levels only, like pythonPath. */
  get bfclPythonPath(): string {
    return this.cfg.inspect<string>("bfcl.pythonPath")?.globalValue?.trim() ?? "";
  }
  get evalMaxNewTokens(): number {
    return this.cfg.get<number>("evaluation.maxNewTokens", 512);
  }
  get trainerExtraArgs(): string[] {
    return this.cfg.inspect<string[]>("trainer.extraArgs")?.globalValue ?? [];
  }
  get cancelGraceSeconds(): number {
    return this.cfg.get<number>("trainer.cancelGraceSeconds", 30);
  }
  get runsDirectory(): string {
    return this.cfg.get<string>("runsDirectory", "runs");
  }
  get schemaFiles(): string[] {
    return this.cfg.get<string[]>("schemaFiles", ["**/*.tools.json"]);
  }
  get datasetFiles(): string[] {
    return this.cfg.get<string[]>("datasetFiles", ["**/*.tooln1.jsonl", "**/data/**/*.jsonl", "**/datasets/**/*.jsonl"]);
  }
  get validateLargeFilesOnOpen(): boolean {
    return this.cfg.get<boolean>("validateLargeFilesOnOpen", false);
  }
  get maxDiagnosticsPerFile(): number {
    return Math.min(1000, this.cfg.get<number>("maxDiagnosticsPerFile", 1000));
  }
  get reward(): RewardVariant {
    return this.cfg.get<RewardVariant>("reward", "binary");
  }
  get inlineRolloutDecorations(): boolean {
    return this.cfg.get<boolean>("rollouts.inlineDecorations", true);
  }
  get executionProvider(): "auto" | "cpu" | "cuda" {
    return this.cfg.get<"auto" | "cpu" | "cuda">("inference.executionProvider", "auto");
  }
}
