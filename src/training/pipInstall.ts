/**
 * "Set up Training Environment"'s pip commands and their progress: what to install (the trainer
 * with its `train` extra: torch, transformers, TRL...) and how pip's output becomes progress
 * messages. No vscode import.
 */

/** The extra that holds what training needs (trainer/pyproject.toml). */
export const TRAIN_EXTRA = "train";

/** pip 24.1 added `--progress-bar raw`: "Progress N of M" lines that a program can read. */
export function pipSupportsRawProgress(versionOutput: string): boolean {
  const m = /pip (\d+)\.(\d+)/.exec(versionOutput);
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > 24 || (major === 24 && minor >= 1);
}

/** `pip install` of the trainer folder with the train extra; progress lines when pip has them. */
export function pipInstallTrainerArgs(trainerDir: string, rawProgress: boolean): string[] {
  return ["-m", "pip", "install", "--progress-bar", rawProgress ? "raw" : "off", `${trainerDir}[${TRAIN_EXTRA}]`];
}

export interface PipProgress {
  /** What pip is doing now, in words ("downloading torch (900 MB)"). */
  message?: string;
  /** Fraction of the current download, 0..1, when pip reports it. */
  fraction?: number;
}

/**
 * Reads pip's output one line at a time and says what it is doing: the package being collected
 * or downloaded (with its size and the fraction done), building, installing, done.
 */
export class PipProgressReader {
  private current = "";
  private collected = 0;

  /** The progress a line means, or undefined when it changes nothing. */
  line(raw: string): PipProgress | undefined {
    const s = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^Progress (\d+) of (\d+)$/.exec(s))) {
      const total = Number(m[2]);
      return total > 0 ? { fraction: Math.min(1, Number(m[1]) / total) } : undefined;
    }
    if ((m = /^Collecting (\S+?)(?:[<>=!~;[ ]|$)/.exec(s))) {
      this.collected++;
      this.current = m[1];
      return { message: `collecting ${m[1]} (${this.collected} packages so far)` };
    }
    if ((m = /^Downloading (\S+?)(?: \(([^)]+)\))?$/.exec(s))) {
      const file = m[1].split("/").pop() ?? m[1];
      const name = /^([A-Za-z0-9_.]+?)-\d/.exec(file)?.[1] ?? this.current ?? file;
      return { message: `downloading ${name}${m[2] ? ` (${m[2]})` : ""}`, fraction: 0 };
    }
    if ((m = /^Processing (\S+\.whl)\b/.exec(s))) {
      const file = m[1].split("/").pop() ?? m[1];
      return { message: `processing ${/^([A-Za-z0-9_.]+?)-\d/.exec(file)?.[1] ?? file}` };
    }
    if ((m = /^Using cached (\S+?)(?: \(([^)]+)\))?$/.exec(s))) {
      const file = m[1].split("/").pop() ?? m[1];
      return { message: `using cached ${/^([A-Za-z0-9_.]+?)-\d/.exec(file)?.[1] ?? file}` };
    }
    if (/^(Building wheels? for|Getting requirements to build|Preparing metadata)/.test(s)) return { message: s.replace(/\s*\.\.\.\s*\S*$/, "").toLowerCase() };
    if ((m = /^Installing collected packages: (.*)$/.exec(s))) {
      const pkgs = m[1].split(",").map((p) => p.trim()).filter(Boolean);
      return { message: `installing ${pkgs.length} packages (${pkgs.slice(-3).join(", ")}${pkgs.length > 3 ? ", …" : ""}): large ones take minutes` };
    }
    if (/^Successfully installed /.test(s)) return { message: "installed" };
    return undefined;
  }
}

/** Splits a stream into lines, keeping the unfinished tail; `\r` ends a line too (progress bars). */
export class LineSplitter {
  private rest = "";
  push(chunk: string): string[] {
    const parts = (this.rest + chunk).split(/\r\n|\n|\r/);
    this.rest = parts.pop() ?? "";
    return parts;
  }
  end(): string[] {
    const r = this.rest;
    this.rest = "";
    return r ? [r] : [];
  }
}
