/**
 * The BFCL results view's protocol, shared by the host (src/evaluation/resultsPanel.ts) and the
 * webview (webview/evaluation/main.ts). One discriminated union per direction; the webview sends
 * `ready`, the host answers with `init` and sends `init` again whenever the evaluations change.
 */
import { messageGuard, nat, str } from "../guard";

export interface CategoryRow {
  name: string;
  accuracy: number;
  correct: number;
  total: number;
}

/** A question the model got wrong: where it is in the results file, and why (BFCL's error type). */
export interface Failure {
  id: string;
  category: string;
  /** Our reason code. */
  reason: string;
  /** BFCL's error type and message (untrusted text: shown with textContent). */
  detail: string;
  /** 0-based line in the results file. */
  line: number;
}

export interface EvaluationView {
  dir: string;
  label: string;
  model: string;
  /** Accuracies in [0, 1] in the order of `columns`; null: not run. */
  row: (number | null)[];
  categories: CategoryRow[];
  failures: Failure[];
  /** Failures beyond those listed. */
  moreFailures: number;
}

export interface Column {
  group: string;
  label: string;
}

export interface RunningView {
  model: string;
  done: number;
  total: number;
}

export type HostMessage =
  | { type: "init"; columns: Column[]; evaluations: EvaluationView[]; selected: string | null; problems: string[] }
  | { type: "running"; running: RunningView | null };

export type WebviewMessage =
  | { type: "ready" }
  | { type: "select"; dir: string }
  | { type: "openFailure"; dir: string; line: number }
  | { type: "openResults"; dir: string }
  | { type: "evaluate" }
  | { type: "cancel" };

/** Every message the results webview may post, checked (common/guard.ts). */
export const isWebviewMessage = messageGuard<WebviewMessage>({
  ready: {},
  select: { dir: str },
  openFailure: { dir: str, line: nat },
  openResults: { dir: str },
  evaluate: {},
  cancel: {},
});
