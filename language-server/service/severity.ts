/**
 * Severity per diagnostic code, configurable (`tooln1.diagnosticSeverity` in the editor,
 * `--severity CODE=LEVEL` for `tooln1 check`). The defaults follow docs/language-server.md's policy:
 * an error only where a trainer, a template or the reward would fail or a target rejects the file;
 * the rest warnings, information or hints.
 */
import type { Severity } from "./problems";

export type SeverityOverride = Severity | "off";
export type SeverityOverrides = Readonly<Record<string, SeverityOverride>>;
export const SEVERITY_LEVELS: readonly SeverityOverride[] = ["error", "warning", "information", "hint", "off"];

/** Reads a settings object or `CODE=LEVEL` strings; unknown levels are reported, not guessed. */
export function parseOverrides(v: unknown): { overrides: Record<string, SeverityOverride>; bad: string[] } {
  const overrides: Record<string, SeverityOverride> = {};
  const bad: string[] = [];
  const put = (code: string, level: unknown) => {
    const l = typeof level === "string" ? level.trim().toLowerCase() : level;
    const norm = l === "info" ? "information" : l;
    if (typeof norm === "string" && (SEVERITY_LEVELS as readonly string[]).includes(norm) && code.trim()) overrides[code.trim()] = norm as SeverityOverride;
    else bad.push(`${code}=${String(level)}`);
  };
  if (Array.isArray(v)) {
    for (const s of v) {
      const i = typeof s === "string" ? s.indexOf("=") : -1;
      if (i <= 0) bad.push(String(s));
      else put((s as string).slice(0, i), (s as string).slice(i + 1));
    }
  } else if (v && typeof v === "object") {
    for (const [k, l] of Object.entries(v)) put(k, l);
  }
  return { overrides, bad };
}

/** The severity a problem is shown with, or undefined when its code is turned off. */
export function severityOf(code: string, severity: Severity, overrides: SeverityOverrides | undefined): Severity | undefined {
  if (!overrides || !Object.hasOwn(overrides, code)) return severity;
  const o = overrides[code];
  return o === "off" ? undefined : o;
}
