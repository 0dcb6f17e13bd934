/**
 * What the training status bar item says about a run: step, reward and ETA while it trains; once
 * the trainer has reported the end (or its process is gone), the end state and no ETA. No vscode
 * import, so `node --test` runs it.
 */
import { METRICS } from "../core/types";
import type { RunState } from "../node/runDir";

export interface StatusBarText {
  text: string;
  tooltip: string;
  /** Whether the run is still training (the ETA ticks). */
  training: boolean;
}

const END_ICONS: Record<string, string> = { completed: "$(check)", cancelled: "$(circle-slash)", failed: "$(error)" };

/** `processRunning`: whether the trainer's process is still alive; `others`: further live runs. */
export function statusBarText(s: RunState, processRunning: boolean, name: string, others = 0, now = Date.now()): StatusBarText {
  const total = s.totalSteps ? `/${s.totalSteps}` : "";
  const more = others > 0 ? [`(+${others})`] : [];
  // The trainer writes run_finished before its process ends (a checkpoint is still being saved):
  // the run has ended once either happened.
  const training = processRunning && (s.status === "running" || s.status === "unknown");
  if (!training) {
    const status = s.status === "running" || s.status === "unknown" ? "ended" : s.status;
    return {
      text: [`${END_ICONS[status] ?? "$(debug-stop)"} Tool-N1 ${status} at step ${s.step}${total}`, ...more].join(" · "),
      tooltip: `${name}: ${status} at step ${s.step}${total}${s.finishMessage ? ` (${s.finishMessage})` : ""}. Click to open the dashboard.`,
      training,
    };
  }
  const reward = [...s.points].reverse().find((p) => p.metrics[METRICS.rewardMean] != null)?.metrics[METRICS.rewardMean];
  const parts = [`$(sync~spin) Tool-N1 step ${s.step}${total}`];
  if (reward != null) parts.push(`reward ${reward.toFixed(3)}`);
  const eta = etaSeconds(s, now);
  if (eta != null) parts.push(`ETA ${formatDuration(eta)}`);
  return { text: [...parts, ...more].join(" · "), tooltip: `${name}: training. Click to open the dashboard.`, training };
}

/** Seconds left, from the mean time per step so far. */
export function etaSeconds(s: RunState, now = Date.now()): number | null {
  if (!s.totalSteps || !s.startedAt || s.step <= 0) return null;
  const perStep = (now - s.startedAt) / 1000 / s.step;
  return Math.max(0, Math.round(perStep * (s.totalSteps - s.step)));
}

export function formatDuration(sec: number): string {
  if (sec < 60) return `${sec}s`;
  if (sec < 3600) return `${Math.floor(sec / 60)}m${String(sec % 60).padStart(2, "0")}s`;
  return `${Math.floor(sec / 3600)}h${String(Math.floor((sec % 3600) / 60)).padStart(2, "0")}m`;
}
