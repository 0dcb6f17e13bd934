/**
 * Custom messages between the extension (src/lsp/client.ts) and the server, declared once here and
 * imported by both sides.
 */
import { NotificationType, RequestType } from "vscode-languageserver-protocol";
import type { PlacedProblem } from "./service";

export interface ValidateFileParams {
  /** file: URI of a dataset or tool schema file, read from disk. */
  uri: string;
  /** Publish its first diagnostics (capped) like an open file's. */
  publish: boolean;
}
export interface ValidateFileResult {
  uri: string;
  lines: number;
  bytes: number;
  error: number;
  warning: number;
  information: number;
  hint: number;
  cancelled?: boolean;
}
export const ValidateFileRequest = new RequestType<ValidateFileParams, ValidateFileResult, void>("tooln1/validateFile");

export interface ProgressParams {
  uri: string;
  bytesRead: number;
  totalBytes: number;
}
export const ValidateProgressNotification = new NotificationType<ProgressParams>("tooln1/validateProgress");

export interface AllProblemsParams {
  uri: string;
}
export interface AllProblemsResult {
  uri: string;
  problems: PlacedProblem[];
  /** True when the list was cut short (more than `limit` problems). */
  truncated: boolean;
}
/** Every problem of a file: an open document's from memory, otherwise from disk. */
export const AllProblemsRequest = new RequestType<AllProblemsParams, AllProblemsResult, void>("tooln1/allProblems");

/**
 * Node options the server is started with (by the extension, and by the tests and benchmarks that
 * start it): a larger young generation makes the first check of a big dataset spend less time in
 * garbage collection (about a tenth less CPU measured on a 20,000-line dataset).
 */
export const SERVER_EXEC_ARGV: readonly string[] = ["--max-semi-space-size=32"];
