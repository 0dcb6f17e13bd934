/** The Runs view (`tooln1.runs`): every run of the workspace with its status. */
import * as vscode from "vscode";
import { basename } from "node:path";
import type { TrainingController, RunEntry } from "./controller";

const ICONS: Record<string, vscode.ThemeIcon> = {
  running: new vscode.ThemeIcon("sync~spin"),
  completed: new vscode.ThemeIcon("pass", new vscode.ThemeColor("testing.iconPassed")),
  cancelled: new vscode.ThemeIcon("circle-slash"),
  failed: new vscode.ThemeIcon("error", new vscode.ThemeColor("testing.iconFailed")),
  unknown: new vscode.ThemeIcon("question"),
};

/** A run in the view; commands receive it (its `dir` names the run). */
/** Runs newest first (a run just launched has no run.json yet: it counts as newest), as every run list shows them. */
export function newestFirst<T extends { dir: string; listing: { info: { started?: string } | null } | null }>(entries: T[]): T[] {
  return entries.sort((a, b) => (b.listing?.info?.started ?? "9").localeCompare(a.listing?.info?.started ?? "9") || b.dir.localeCompare(a.dir));
}

export class RunItem extends vscode.TreeItem {
  constructor(readonly dir: string, status: string, description: string, tooltip: string) {
    super(basename(dir), vscode.TreeItemCollapsibleState.None);
    this.id = dir;
    this.description = description;
    this.tooltip = tooltip;
    this.iconPath = ICONS[status] ?? ICONS.unknown;
    this.contextValue = `run-${status}`;
    this.resourceUri = vscode.Uri.file(dir);
    this.command = { title: "Open Run Dashboard", command: "tooln1.openDashboard", arguments: [dir] };
  }
}

export function itemFor(e: RunEntry): RunItem {
  const s = e.run?.state;
  const info = e.listing?.info;
  let status: string = s && s.status !== "unknown" ? s.status : (info?.status ?? "unknown");
  if (e.listing?.stale && !e.run?.running) status = "failed";
  if (e.run?.running) status = "running";
  const method = s?.method || info?.method || "";
  const parts: string[] = [status];
  if (method) parts.push(method);
  if (s && s.step) parts.push(`step ${s.step}${s.totalSteps ? `/${s.totalSteps}` : ""}`);
  const tip = [
    e.dir,
    info?.started ? `started ${info.started}` : "",
    e.listing?.stale ? "run.json says running, but its process is gone (crashed or killed)" : "",
    e.unproven && !e.run ? `not followed: ${e.unproven}` : "",
    e.listing?.error ?? "",
    s?.finishMessage ?? "",
  ]
    .filter(Boolean)
    .join("\n");
  return new RunItem(e.dir, status, parts.join(" · "), tip);
}

export class RunsTreeProvider implements vscode.TreeDataProvider<RunItem> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly controller: TrainingController) {
    controller.onDidChange(() => this.changed.fire());
  }

  getTreeItem(item: RunItem): RunItem {
    return item;
  }

  getChildren(item?: RunItem): RunItem[] {
    if (item) return [];
    return newestFirst([...this.controller.entries.values()]).map(itemFor);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
