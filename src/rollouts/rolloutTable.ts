/**
 * The rollouts of one or more files, indexed for the inspector: per line, the byte range (JsonlIndex)
 * and a few numbers kept in typed arrays (step, prompt, group, reward, advantage, reason, length).
 * Filters, sorts, groups and summaries run over those arrays; completions stay on disk and are read
 * by page. Pure Node (no vscode): runs in the index worker, in tests and in benchmarks.
 */
import { JsonlIndex } from "../node/jsonlIndex";
import {
  GroupCounter,
  detectLineFormat,
  discoverRolloutFiles,
  normalizeRollout,
  readTrlParquet,
  type RolloutRow,
  type SourceFile,
} from "../node/rolloutSources";
import { REASON_CODES, type ReasonCode, type RewardVariant } from "../core/types";
import { explainRollout } from "./explain";
import type {
  GroupSummary,
  HistoryEntry,
  Progress,
  RolloutFilter,
  RolloutQuery,
  QueryResult,
  RowDetail,
  RowSummary,
  StepSummary,
} from "../../common/inspector/protocol";

const INVALID = 255;
const F_FORMAT = 1,
  F_CALLS = 2,
  F_EXPLAINED = 4,
  F_ADV = 8,
  F_PARTIAL = 16;
const REASON_INDEX = new Map<string, number>(REASON_CODES.map((r, i) => [r, i]));
/** Group key: step and prompt index in one safe integer. */
const gkey = (step: number, prompt: number): number => (step + 1) * 4294967296 + prompt;

class Grow {
  constructor(
    public a: Uint32Array | Int32Array | Float64Array | Uint8Array | Uint16Array,
    public readonly make: (n: number) => Uint32Array | Int32Array | Float64Array | Uint8Array | Uint16Array,
  ) {}
  ensure(n: number): void {
    if (n <= this.a.length) return;
    const next = this.make(Math.max(n, this.a.length * 2));
    next.set(this.a as never);
    this.a = next;
  }
}

interface FileEntry {
  src: SourceFile;
  index: JsonlIndex | null;
  /** Rows of this file, in line order (line numbers ascending). */
  rows: number[];
  parquet: RolloutRow[] | null;
  groups: GroupCounter;
  /** Row made from the bytes after the last newline, replaced when that line completes. */
  tail: { line: number; row: number } | null;
  partialTail: boolean;
  stopFollow: (() => void) | null;
}

export interface TableOptions {
  variant: RewardVariant;
  /** Longest line read for a detail (default 16 MiB). */
  maxLineBytes?: number;
  /** Characters of completion shown in a table row (default 160). */
  previewChars?: number;
}

interface TextCache {
  text: string;
  match: Uint8Array;
  /** Rows checked so far (rows are checked in order of arrival). */
  checked: number;
}

export class RolloutTable {
  readonly files: FileEntry[] = [];
  n = 0;
  private readonly cols = {
    file: new Grow(new Uint16Array(1024), (n) => new Uint16Array(n)),
    line: new Grow(new Uint32Array(1024), (n) => new Uint32Array(n)),
    step: new Grow(new Int32Array(1024), (n) => new Int32Array(n)),
    group: new Grow(new Int32Array(1024), (n) => new Int32Array(n)),
    reward: new Grow(new Float64Array(1024), (n) => new Float64Array(n)),
    adv: new Grow(new Float64Array(1024), (n) => new Float64Array(n)),
    reason: new Grow(new Uint8Array(1024), (n) => new Uint8Array(n)),
    flags: new Grow(new Uint8Array(1024), (n) => new Uint8Array(n)),
    prompt: new Grow(new Uint32Array(1024), (n) => new Uint32Array(n)),
    length: new Grow(new Uint32Array(1024), (n) => new Uint32Array(n)),
    gid: new Grow(new Uint32Array(1024), (n) => new Uint32Array(n)),
  };
  readonly prompts: string[] = [];
  private readonly promptIndex = new Map<string, number>();
  // groups
  private readonly groupIndex = new Map<number, number>();
  private gStep: number[] = [];
  private gPrompt: number[] = [];
  private gCount: number[] = [];
  private gSum: number[] = [];
  private gSumSq: number[] = [];
  private gMin: number[] = [];
  private gMax: number[] = [];
  private gRows: number[][] = [];
  private readonly invalidMessages = new Map<number, string>();
  /** For each prompt, a row whose record carries the prompt text (the trainer writes it once per group). */
  private readonly promptRow = new Map<number, number>();
  invalid = 0;
  readonly errors: string[] = [];
  bytesDone = 0;
  done = false;
  private viewCache: { key: string; n: number; ids: Uint32Array; groups: boolean } | null = null;
  private textCache: TextCache | null = null;
  private readonly maxLineBytes: number;
  private readonly previewChars: number;

  constructor(readonly opts: TableOptions) {
    this.maxLineBytes = opts.maxLineBytes ?? 16 << 20;
    this.previewChars = opts.previewChars ?? 160;
  }

  /** Adds a rollout file, a rollout folder or a run directory (every rollout file under it). */
  /** Directories added, searched again for new step files while following. */
  private readonly roots: string[] = [];

  async addPath(path: string): Promise<number> {
    const found = await discoverRolloutFiles(path);
    if (!/\.(jsonl|parquet)$/.test(path) && !this.roots.includes(path)) this.roots.push(path);
    for (const f of found) this.addFile(f);
    return found.length;
  }

  addFile(src: SourceFile): number {
    const existing = this.files.findIndex((f) => f.src.path === src.path);
    if (existing >= 0) return existing;
    if (this.files.length >= 65535) throw new Error("too many rollout files (65,535 at most)");
    this.files.push({
      src,
      index: src.format === "trl" ? null : new JsonlIndex(src.path, { maxLineBytes: this.maxLineBytes }),
      rows: [],
      parquet: null,
      groups: new GroupCounter(),
      tail: null,
      partialTail: false,
      stopFollow: null,
    });
    this.done = false;
    return this.files.length - 1;
  }

  get totalBytes(): number {
    let t = 0;
    for (const f of this.files) t += f.index ? Math.max(f.index.size, f.index.indexedBytes) : 0;
    return t;
  }

  progress(): Progress {
    return {
      rows: this.n,
      bytes: this.bytesDone,
      totalBytes: Math.max(this.totalBytes, this.bytesDone),
      files: this.files.length,
      done: this.done,
      partialTail: this.files.some((f) => f.partialTail),
      invalid: this.invalid,
      errors: this.errors.slice(0, 20),
    };
  }

  /** Indexes every file to its current end. `onProgress` is called after each chunk. */
  async indexAll(onProgress?: (p: Progress) => void): Promise<void> {
    for (let fi = 0; fi < this.files.length; fi++) await this.indexFile(fi, onProgress);
    this.done = true;
    onProgress?.(this.progress());
  }

  /** Indexes one file from where its last scan stopped. Returns rows added. */
  async indexFile(fi: number, onProgress?: (p: Progress) => void): Promise<number> {
    const f = this.files[fi];
    const before = this.n;
    try {
      if (!f.index) {
        if (f.parquet) return 0;
        const rows = await readTrlParquet(f.src.path, this.opts.variant, f.groups);
        f.parquet = [];
        rows.forEach((r, i) => {
          if ("error" in r) this.addInvalid(fi, i, r.error, 0);
          else {
            f.parquet!.push(r);
            this.addRow(fi, i, r);
          }
        });
        onProgress?.(this.progress());
        return this.n - before;
      }
      const idx = f.index;
      const bytesBefore = idx.indexedBytes;
      let lastReport = 0;
      const r = await idx.update(
        (line, bytes) => this.onLine(fi, line, bytes),
        (scanned) => {
          const now = Date.now();
          if (onProgress && now - lastReport > 100) {
            lastReport = now;
            onProgress({ ...this.progress(), bytes: this.bytesDone + (scanned - bytesBefore) });
          }
        },
      );
      if (r.reset) {
        this.errors.push(`${f.src.path} was rewritten; reopen the inspector to read it again`);
      }
      this.bytesDone += idx.indexedBytes - bytesBefore;
      await this.readTailOf(fi);
    } catch (e) {
      this.errors.push(`${f.src.path}: ${e instanceof Error ? e.message : String(e)}`);
    }
    return this.n - before;
  }

  private async readTailOf(fi: number): Promise<void> {
    const f = this.files[fi];
    if (!f.index) return;
    f.partialTail = f.index.tailBytes > 0;
    if (!f.partialTail || f.tail) return;
    // A last line without newline: kept as a row if it is a whole record (a file missing its final
    // newline); otherwise reported as still being written or truncated.
    const t = await f.index.readTail();
    if (!t || t.truncated) return;
    let obj: unknown;
    try {
      obj = JSON.parse(t.text);
    } catch {
      return;
    }
    const row = this.addParsed(fi, t.line, obj, t.text.length);
    if (row >= 0) {
      this.cols.flags.a[row] |= F_PARTIAL;
      f.tail = { line: t.line, row };
    }
  }

  private onLine(fi: number, line: number, bytes: Buffer | null): void {
    const f = this.files[fi];
    if (f.tail && f.tail.line === line) {
      // the partial last line got its newline: it is already a row
      f.tail = null;
      return;
    }
    if (bytes === null) {
      this.addInvalid(fi, line, `line ${line + 1} is longer than ${this.maxLineBytes >> 20} MiB`, 0);
      return;
    }
    if (bytes.length === 0 || (bytes.length < 4 && bytes.toString().trim() === "")) return; // blank line
    let obj: unknown;
    const text = bytes.toString("utf8");
    try {
      obj = JSON.parse(text);
    } catch (e) {
      this.addInvalid(fi, line, `line ${line + 1}: not JSON (${e instanceof Error ? e.message : String(e)})`, text.length);
      return;
    }
    this.addParsed(fi, line, obj, text.length);
  }

  private addParsed(fi: number, line: number, obj: unknown, length: number): number {
    const f = this.files[fi];
    const format = detectLineFormat(obj) ?? f.src.format;
    const r = normalizeRollout(obj, { format, variant: this.opts.variant, fileStep: f.src.step, groups: f.groups });
    if ("error" in r) return this.addInvalid(fi, line, `line ${line + 1}: ${r.error}`, length);
    return this.addRow(fi, line, r);
  }

  private internPrompt(id: string): number {
    let p = this.promptIndex.get(id);
    if (p === undefined) {
      p = this.prompts.length;
      this.prompts.push(id);
      this.promptIndex.set(id, p);
    }
    return p;
  }

  private capacity = 1024;
  private ensure(): number {
    const i = this.n;
    if (i >= this.capacity) {
      this.capacity *= 2;
      for (const c of Object.values(this.cols)) c.ensure(this.capacity);
    }
    this.n++;
    this.viewCache = null;
    return i;
  }

  private addInvalid(fi: number, line: number, message: string, length: number): number {
    const i = this.ensure();
    const c = this.cols;
    c.file.a[i] = fi;
    c.line.a[i] = line;
    c.step.a[i] = this.files[fi].src.step ?? -1;
    c.group.a[i] = -1;
    c.reward.a[i] = NaN;
    c.adv.a[i] = NaN;
    c.reason.a[i] = INVALID;
    c.flags.a[i] = 0;
    c.prompt.a[i] = this.internPrompt("");
    c.length.a[i] = length;
    c.gid.a[i] = 0xffffffff;
    this.files[fi].rows.push(i);
    this.invalid++;
    if (this.invalidMessages.size < 10000) this.invalidMessages.set(i, message);
    if (this.errors.length < 20) this.errors.push(`${this.files[fi].src.path}: ${message}`);
    return i;
  }

  private addRow(fi: number, line: number, r: RolloutRow): number {
    const i = this.ensure();
    const c = this.cols;
    c.file.a[i] = fi;
    c.line.a[i] = line;
    c.step.a[i] = r.step;
    c.group.a[i] = r.group_index;
    c.reward.a[i] = r.reward;
    const hasAdv = typeof r.advantage === "number";
    c.adv.a[i] = hasAdv ? (r.advantage as number) : NaN;
    c.reason.a[i] = REASON_INDEX.get(r.details.reason) ?? INVALID;
    c.flags.a[i] = (r.details.format_ok ? F_FORMAT : 0) | (r.details.calls_ok ? F_CALLS : 0) | (r.explained ? F_EXPLAINED : 0) | (hasAdv ? F_ADV : 0);
    const p = this.internPrompt(r.prompt_id);
    c.prompt.a[i] = p;
    if (r.prompt !== undefined && !this.promptRow.has(p)) this.promptRow.set(p, i);
    c.length.a[i] = r.tokens?.completion ?? r.completion.length;
    // group statistics
    const k = gkey(r.step, p);
    let g = this.groupIndex.get(k);
    if (g === undefined) {
      g = this.gStep.length;
      this.groupIndex.set(k, g);
      this.gStep.push(r.step);
      this.gPrompt.push(p);
      this.gCount.push(0);
      this.gSum.push(0);
      this.gSumSq.push(0);
      this.gMin.push(Infinity);
      this.gMax.push(-Infinity);
      this.gRows.push([]);
    }
    this.gCount[g]++;
    this.gSum[g] += r.reward;
    this.gSumSq[g] += r.reward * r.reward;
    if (r.reward < this.gMin[g]) this.gMin[g] = r.reward;
    if (r.reward > this.gMax[g]) this.gMax[g] = r.reward;
    this.gRows[g].push(i);
    c.gid.a[i] = g;
    this.files[fi].rows.push(i);
    return i;
  }

  // ---- following a live run ----------------------------------------------------------------

  /**
   * Follows appended lines in every file (and new step files in `dirs`); `onChange` runs after rows
   * were added. Returns a function that stops following.
   */
  follow(onChange: () => void, intervalMs = 500): () => void {
    const stops: (() => void)[] = [];
    const followFiles = (): void => this.followFiles(onChange, intervalMs, stops);
    followFiles();
    // a live run adds a step file per step: look for new ones
    let busy = false;
    const timer = this.roots.length
      ? setInterval(() => {
          if (busy) return;
          busy = true;
          void (async () => {
            const before = this.files.length;
            for (const r of this.roots) for (const f of await discoverRolloutFiles(r).catch(() => [])) this.addFile(f);
            for (let fi = before; fi < this.files.length; fi++) await this.indexFile(fi);
            if (this.files.length > before) {
              followFiles();
              this.viewCache = null;
              onChange();
            }
          })().finally(() => (busy = false));
        }, intervalMs * 2)
      : null;
    return () => {
      if (timer) clearInterval(timer);
      stops.forEach((s) => s());
    };
  }

  private followFiles(onChange: () => void, intervalMs: number, stops: (() => void)[]): void {
    for (let fi = 0; fi < this.files.length; fi++) {
      const f = this.files[fi];
      if (!f.index || f.stopFollow) continue;
      const idx = f.index;
      f.stopFollow = idx.follow(
        () => {
          // the scan already ran inside follow(); rows were added by onLine, bytes counted here
          void this.afterFollowScan(fi).then(onChange);
        },
        (line, bytes) => this.onLine(fi, line, bytes),
        intervalMs,
      );
      stops.push(() => {
        f.stopFollow?.();
        f.stopFollow = null;
      });
    }
  }

  private readonly followBytes = new Map<number, number>();
  private async afterFollowScan(fi: number): Promise<void> {
    const f = this.files[fi];
    if (!f.index) return;
    const prev = this.followBytes.get(fi) ?? 0;
    this.followBytes.set(fi, f.index.indexedBytes);
    if (prev) this.bytesDone += f.index.indexedBytes - prev;
    await this.readTailOf(fi);
    this.viewCache = null;
  }

  // ---- queries -------------------------------------------------------------------------------

  reasonOf(i: number): ReasonCode | "invalid" {
    const r = this.cols.reason.a[i];
    return r === INVALID ? "invalid" : REASON_CODES[r];
  }

  private groupStd(g: number): number {
    const n = this.gCount[g];
    if (n < 2) return 0;
    const mean = this.gSum[g] / n;
    return Math.sqrt(Math.max(0, (this.gSumSq[g] - n * mean * mean) / (n - 1)));
  }

  private zeroVariance(g: number): boolean {
    return g !== 0xffffffff && this.gCount[g] > 1 && this.gMin[g] === this.gMax[g];
  }

  /** The row's advantage: recorded, or GRPO's (r - mean) / (std + 1e-6) over its group. */
  advantageOf(i: number): { value: number | null; computed: boolean } {
    const c = this.cols;
    if (c.flags.a[i] & F_ADV) return { value: c.adv.a[i], computed: false };
    const g = c.gid.a[i];
    if (g === 0xffffffff) return { value: null, computed: false };
    const n = this.gCount[g];
    if (n < 2) return { value: null, computed: true };
    const mean = this.gSum[g] / n;
    return { value: (c.reward.a[i] - mean) / (this.groupStd(g) + 1e-6), computed: true };
  }

  summaryOf(i: number): RowSummary {
    const c = this.cols;
    const adv = this.advantageOf(i);
    const g = c.gid.a[i];
    return {
      row: i,
      file: c.file.a[i],
      line: c.line.a[i],
      step: c.step.a[i],
      promptId: this.prompts[c.prompt.a[i]],
      group: c.group.a[i],
      reward: c.reward.a[i],
      advantage: adv.value,
      advantageComputed: adv.computed,
      reason: this.reasonOf(i),
      length: c.length.a[i],
      zeroVariance: this.zeroVariance(g),
      explained: (c.flags.a[i] & F_EXPLAINED) !== 0,
    };
  }

  /** Row ids that pass the filter's in-memory part (everything except the text search). */
  private filterIds(f: RolloutFilter, text: Uint8Array | null): Uint32Array {
    const c = this.cols;
    const n = this.n;
    const out = new Uint32Array(n);
    let k = 0;
    let reasonMask: Uint8Array | null = null;
    if (f.reasons && f.reasons.length) {
      reasonMask = new Uint8Array(256);
      for (const r of f.reasons) reasonMask[r === "invalid" ? INVALID : (REASON_INDEX.get(r) ?? 254)] = 1;
    }
    const rMin = f.rewardMin ?? -Infinity,
      rMax = f.rewardMax ?? Infinity;
    const sMin = f.stepMin ?? -Infinity,
      sMax = f.stepMax ?? Infinity;
    const pid = f.promptId !== undefined && f.promptId !== "" ? (this.promptIndex.get(f.promptId) ?? -2) : -1;
    const rewardFilter = f.rewardMin !== undefined || f.rewardMax !== undefined;
    const reason = c.reason.a,
      reward = c.reward.a,
      step = c.step.a,
      prompt = c.prompt.a,
      gid = c.gid.a;
    for (let i = 0; i < n; i++) {
      if (reasonMask && !reasonMask[reason[i]]) continue;
      if (rewardFilter && !(reward[i] >= rMin && reward[i] <= rMax)) continue;
      if (step[i] < sMin || step[i] > sMax) continue;
      if (pid !== -1 && prompt[i] !== pid) continue;
      if (f.zeroVarianceOnly && !this.zeroVariance(gid[i])) continue;
      if (text && !text[i]) continue;
      out[k++] = i;
    }
    return out.subarray(0, k);
  }

  private sortIds(ids: Uint32Array, key: RolloutQuery["sort"]["key"], desc: boolean): Uint32Array {
    if (key === "row") return desc ? ids.slice().reverse() : ids;
    const c = this.cols;
    const col: ArrayLike<number> | null =
      key === "step" ? c.step.a : key === "group" ? c.group.a : key === "reward" ? c.reward.a : key === "reason" ? c.reason.a : key === "length" ? c.length.a : null;
    const sign = desc ? -1 : 1;
    let keys: Float64Array;
    if (col) {
      keys = new Float64Array(ids.length);
      for (let j = 0; j < ids.length; j++) keys[j] = col[ids[j]];
    } else if (key === "advantage") {
      keys = new Float64Array(ids.length);
      for (let j = 0; j < ids.length; j++) keys[j] = this.advantageOf(ids[j]).value ?? NaN;
    } else {
      // prompt: by prompt id text
      const order = this.promptOrder();
      keys = new Float64Array(ids.length);
      for (let j = 0; j < ids.length; j++) keys[j] = order[c.prompt.a[ids[j]]];
    }
    // sort positions by key, then by row id (stable); NaN last
    const pos = new Uint32Array(ids.length);
    for (let j = 0; j < pos.length; j++) pos[j] = j;
    pos.sort((a, b) => {
      const ka = keys[a],
        kb = keys[b];
      if (ka !== kb) {
        if (Number.isNaN(ka)) return 1;
        if (Number.isNaN(kb)) return -1;
        return ka < kb ? -sign : sign;
      }
      return ids[a] - ids[b];
    });
    const out = new Uint32Array(ids.length);
    for (let j = 0; j < pos.length; j++) out[j] = ids[pos[j]];
    return out;
  }

  private promptOrderCache: { n: number; order: Uint32Array } | null = null;
  private promptOrder(): Uint32Array {
    if (this.promptOrderCache && this.promptOrderCache.n === this.prompts.length) return this.promptOrderCache.order;
    const idx = this.prompts.map((_p, i) => i).sort((a, b) => (this.prompts[a] < this.prompts[b] ? -1 : this.prompts[a] > this.prompts[b] ? 1 : 0));
    const order = new Uint32Array(this.prompts.length);
    idx.forEach((p, rank) => (order[p] = rank));
    this.promptOrderCache = { n: this.prompts.length, order };
    return order;
  }

  /** Filters, sorts and pages rows (or prompt groups). */
  async query(q: RolloutQuery, withPreview = true): Promise<QueryResult> {
    const t0 = performance.now();
    const text = q.filter.text && q.filter.text.trim() !== "" ? await this.textMatches(q.filter.text) : null;
    const key = JSON.stringify([q.filter, q.sort, q.groups]);
    let ids: Uint32Array;
    if (this.viewCache && this.viewCache.key === key && this.viewCache.n === this.n) ids = this.viewCache.ids;
    else {
      const rows = this.filterIds(q.filter, text);
      ids = q.groups ? this.groupIds(rows, q.sort) : this.sortIds(rows, q.sort.key, q.sort.desc);
      this.viewCache = { key, n: this.n, ids, groups: q.groups };
    }
    const page = ids.subarray(Math.max(0, q.offset), Math.max(0, q.offset) + Math.max(0, q.limit));
    const result: QueryResult = { total: ids.length, offset: q.offset, rows: [], groups: [], ms: 0 };
    if (q.groups) result.groups = Array.from(page, (g) => this.groupSummary(g));
    else {
      result.rows = Array.from(page, (i) => this.summaryOf(i));
      if (withPreview) await this.addPreviews(result.rows);
    }
    result.ms = performance.now() - t0;
    return result;
  }

  /** Groups having at least one row in `rows`, sorted by step then prompt (or by mean reward). */
  private groupIds(rows: Uint32Array, sort: RolloutQuery["sort"]): Uint32Array {
    const seen = new Uint8Array(this.gStep.length);
    const gs: number[] = [];
    const gid = this.cols.gid.a;
    for (const i of rows) {
      const g = gid[i];
      if (g === 0xffffffff || seen[g]) continue;
      seen[g] = 1;
      gs.push(g);
    }
    const sign = sort.desc ? -1 : 1;
    const order = this.promptOrder();
    const byStep = (a: number, b: number): number => this.gStep[a] - this.gStep[b] || order[this.gPrompt[a]] - order[this.gPrompt[b]];
    if (sort.key === "reward") gs.sort((a, b) => sign * (this.gSum[a] / this.gCount[a] - this.gSum[b] / this.gCount[b]) || byStep(a, b));
    else if (sort.key === "prompt") gs.sort((a, b) => sign * (order[this.gPrompt[a]] - order[this.gPrompt[b]]) || this.gStep[a] - this.gStep[b]);
    else gs.sort((a, b) => sign * byStep(a, b));
    return Uint32Array.from(gs);
  }

  groupSummary(g: number): GroupSummary {
    const rows = this.gRows[g].slice().sort((a, b) => this.cols.group.a[a] - this.cols.group.a[b]);
    const n = this.gCount[g];
    return {
      key: g,
      step: this.gStep[g],
      promptId: this.prompts[this.gPrompt[g]],
      count: n,
      mean: this.gSum[g] / n,
      std: this.groupStd(g),
      zeroVariance: this.zeroVariance(g),
      rewards: rows.map((i) => this.cols.reward.a[i]),
      reasons: rows.map((i) => this.reasonOf(i)),
      rows,
    };
  }

  groupOfRow(i: number): GroupSummary | null {
    const g = this.cols.gid.a[i];
    return g === 0xffffffff ? null : this.groupSummary(g);
  }

  /** The same prompt at every step, oldest first. */
  history(promptId: string): HistoryEntry[] {
    const p = this.promptIndex.get(promptId);
    if (p === undefined) return [];
    const out: HistoryEntry[] = [];
    for (let g = 0; g < this.gStep.length; g++) {
      if (this.gPrompt[g] !== p) continue;
      const s = this.groupSummary(g);
      out.push({ step: s.step, count: s.count, mean: s.mean, zeroVariance: s.zeroVariance, rewards: s.rewards, reasons: s.reasons, rows: s.rows });
    }
    return out.sort((a, b) => a.step - b.step);
  }

  /** Reward and reason distribution per step. */
  stepSummaries(): StepSummary[] {
    const by = new Map<number, StepSummary & { sum: number }>();
    const c = this.cols;
    for (let i = 0; i < this.n; i++) {
      const step = c.step.a[i];
      let s = by.get(step);
      if (!s) {
        s = { step, count: 0, mean: 0, reasons: {}, groups: 0, zeroVarianceGroups: 0, sum: 0 };
        by.set(step, s);
      }
      s.count++;
      const r = c.reward.a[i];
      if (!Number.isNaN(r)) s.sum += r;
      const reason = this.reasonOf(i);
      s.reasons[reason] = (s.reasons[reason] ?? 0) + 1;
    }
    for (let g = 0; g < this.gStep.length; g++) {
      const s = by.get(this.gStep[g]);
      if (!s) continue;
      s.groups++;
      if (this.zeroVariance(g)) s.zeroVarianceGroups++;
    }
    return [...by.values()]
      .sort((a, b) => a.step - b.step)
      .map(({ sum, ...s }) => ({ ...s, mean: s.count ? sum / (s.count - (s.reasons.invalid ?? 0) || 1) : 0 }));
  }

  // ---- reading rows from disk --------------------------------------------------------------

  /** Reads rows from their files: the parsed record, or why it cannot be read. */
  async readRecords(ids: number[], maxBytes = this.maxLineBytes): Promise<Map<number, { record: RolloutRow | null; error?: string; truncated: boolean }>> {
    const out = new Map<number, { record: RolloutRow | null; error?: string; truncated: boolean }>();
    const byFile = new Map<number, number[]>();
    for (const i of ids) {
      if (i < 0 || i >= this.n) continue;
      const fi = this.cols.file.a[i];
      (byFile.get(fi) ?? byFile.set(fi, []).get(fi)!).push(i);
    }
    for (const [fi, rows] of byFile) {
      const f = this.files[fi];
      if (f.parquet) {
        for (const i of rows) out.set(i, { record: this.fixup(i, f.parquet[this.cols.line.a[i]] ?? null), truncated: false });
        continue;
      }
      const idx = f.index!;
      const lineToRow = new Map<number, number>();
      for (const i of rows) lineToRow.set(this.cols.line.a[i], i);
      const lines = [...lineToRow.keys()];
      const texts = await idx.readSome(lines.filter((l) => l < idx.lineCount), maxBytes);
      const tail = lines.some((l) => l >= idx.lineCount) ? await idx.readTail(maxBytes) : null;
      if (tail) texts.push(tail);
      for (const t of texts) {
        const i = lineToRow.get(t.line);
        if (i === undefined) continue;
        if (this.cols.reason.a[i] === INVALID) {
          out.set(i, { record: null, error: this.invalidMessages.get(i) ?? "not a readable rollout", truncated: t.truncated });
          continue;
        }
        if (t.truncated) {
          out.set(i, { record: null, error: `line ${t.line + 1} is ${(t.bytes / 1048576).toFixed(1)} MiB, longer than the ${maxBytes >> 20} MiB the inspector reads`, truncated: true });
          continue;
        }
        try {
          const obj = JSON.parse(t.text);
          const format = detectLineFormat(obj) ?? f.src.format;
          const r = normalizeRollout(obj, { format, variant: this.opts.variant, fileStep: f.src.step, groups: new GroupCounter() });
          out.set(i, "error" in r ? { record: null, error: r.error, truncated: false } : { record: this.fixup(i, r), truncated: false });
        } catch (e) {
          out.set(i, { record: null, error: e instanceof Error ? e.message : String(e), truncated: false });
        }
      }
    }
    return out;
  }

  /** Fields assigned while indexing (group numbering of verl/TRL) win over a re-read. */
  private fixup(i: number, r: RolloutRow | null): RolloutRow | null {
    if (!r) return r;
    r.step = this.cols.step.a[i];
    r.group_index = this.cols.group.a[i];
    r.prompt_id = this.prompts[this.cols.prompt.a[i]];
    const adv = this.advantageOf(i);
    if (adv.computed && adv.value !== null) {
      r.advantage = adv.value;
      r.advantage_computed = true;
    }
    return r;
  }

  private async addPreviews(rows: RowSummary[]): Promise<void> {
    const recs = await this.readRecords(
      rows.map((r) => r.row),
      1 << 20,
    );
    for (const r of rows) {
      const got = recs.get(r.row);
      if (got?.record) r.preview = got.record.completion.slice(0, this.previewChars).replace(/\s+/g, " ");
      else if (got?.error) r.preview = got.error.slice(0, this.previewChars);
    }
  }

  async detail(i: number): Promise<RowDetail> {
    if (i < 0 || i >= this.n) throw new Error(`no row ${i}`);
    const got = (await this.readRecords([i])).get(i);
    const summary = this.summaryOf(i);
    const f = this.files[summary.file];
    const source = { path: f.src.path, line: summary.line };
    if (!got || !got.record) return { summary, record: null, error: got?.error ?? "the line could not be read (the file changed?)", explanation: null, truncated: got?.truncated ?? false, source };
    if (got.record.prompt === undefined) {
      // `prompt_ref`: the text is on another rollout of the prompt
      const pr = this.promptRow.get(this.cols.prompt.a[i]);
      if (pr !== undefined && pr !== i) {
        const other = (await this.readRecords([pr])).get(pr)?.record;
        if (other?.prompt !== undefined) got.record.prompt = other.prompt;
      }
    }
    let explanation;
    try {
      explanation = explainRollout(got.record, this.opts.variant);
    } catch (e) {
      return { summary, record: got.record, error: `explaining failed: ${e instanceof Error ? e.message : String(e)}`, explanation: null, truncated: false, source };
    }
    return { summary, record: got.record, explanation, truncated: false, source };
  }

  /** Row id of a file's line, or -1. */
  rowOfLine(fi: number, line: number): number {
    const rows = this.files[fi]?.rows;
    if (!rows) return -1;
    let lo = 0,
      hi = rows.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const l = this.cols.line.a[rows[mid]];
      if (l === line) return rows[mid];
      if (l < line) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  // ---- text search -------------------------------------------------------------------------

  /**
   * Rows whose completion, prompt, prompt id or ground truth contain `text` (ASCII case-insensitive).
   * Scans the raw bytes of each file once for candidates, then confirms each candidate line by parsing
   * it, so a match inside a JSON key does not count. Results are cached and extended as rows arrive.
   */
  async textMatches(text: string): Promise<Uint8Array> {
    let cache = this.textCache;
    if (!cache || cache.text !== text) cache = this.textCache = { text, match: new Uint8Array(0), checked: 0 };
    if (cache.checked >= this.n) return cache.match;
    const match = new Uint8Array(this.n);
    match.set(cache.match.subarray(0, Math.min(cache.match.length, this.n)));
    const from = cache.checked;
    const needleLower = text.toLowerCase();
    const ascii = /^[\x20-\x7e]*$/.test(text);
    // the JSON-escaped form, as the bytes appear in the file
    const escaped = JSON.stringify(ascii ? needleLower : text).slice(1, -1);
    const needle = Buffer.from(escaped, "utf8");
    const needleText = escaped;
    const confirm = (r: RolloutRow): boolean => {
      const hay = [r.completion, r.prompt ?? "", r.prompt_id, JSON.stringify(r.ground_truth)];
      return hay.some((h) => (ascii ? h.toLowerCase().includes(needleLower) : h.includes(text)));
    };
    // rows to check, per file, as line ranges
    const perFile = new Map<number, number[]>();
    for (let i = from; i < this.n; i++) {
      const fi = this.cols.file.a[i];
      (perFile.get(fi) ?? perFile.set(fi, []).get(fi)!).push(i);
    }
    for (const [fi, rows] of perFile) {
      const f = this.files[fi];
      if (f.parquet) {
        for (const i of rows) {
          const r = f.parquet[this.cols.line.a[i]];
          if (r && confirm(r)) match[i] = 1;
        }
        continue;
      }
      // candidates are confirmed from the bytes already read; lines cut by a chunk are read again
      const confirmText = (text: string): boolean => {
        try {
          const obj: unknown = JSON.parse(text);
          const r = normalizeRollout(obj, { format: detectLineFormat(obj) ?? f.src.format, variant: this.opts.variant, fileStep: f.src.step, groups: new GroupCounter() });
          return !("error" in r) && confirm(r);
        } catch {
          return false;
        }
      };
      const candidates: number[] = [];
      await this.scanCandidates(f.index!, rows, needle, needleText, ascii, (i, text) => {
        if (text === null) candidates.push(i);
        else if (this.cols.reason.a[i] !== INVALID && confirmText(text)) match[i] = 1;
      });
      if (candidates.length) {
        const recs = await this.readRecords(candidates);
        for (const i of candidates) {
          const r = recs.get(i)?.record;
          if (r && confirm(r)) match[i] = 1;
        }
      }
    }
    cache.match = match;
    cache.checked = this.n;
    return match;
  }

  /**
   * Calls `hit` for each row among `rows` (one file, line order) whose raw bytes contain the needle,
   * with the line's text when the line was wholly in the chunk read, else null.
   */
  private async scanCandidates(idx: JsonlIndex, rows: number[], needle: Buffer, needleText: string, foldAscii: boolean, hit: (row: number, text: string | null) => void): Promise<void> {
    const { promises: fsp } = await import("node:fs");
    // a partial last line kept as a row is checked by reading it
    for (const i of rows) if (this.cols.line.a[i] >= idx.lineCount) hit(i, null);
    const lines = rows.map((i) => this.cols.line.a[i]).filter((l) => l < idx.lineCount);
    if (lines.length === 0) return;
    const foldRe = new RegExp(needleText.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"), "gi");
    const fh = await fsp.open(idx.path, "r");
    const CH = 4 << 20;
    const buf = Buffer.allocUnsafe(CH + needle.length);
    try {
      let j = 0; // index into rows/lines
      while (j < lines.length) {
        // read a run of consecutive lines up to CH bytes
        const start = idx.lineStart(lines[j]);
        let k = j;
        while (k + 1 < lines.length && idx.lineEnd(lines[k + 1]) - start <= CH) k++;
        const end = Math.min(idx.lineEnd(lines[k]), start + CH);
        const len = end - start;
        const { bytesRead } = await fh.read(buf, 0, len, start);
        const chunk = buf.subarray(0, bytesRead);
        // ASCII case folding: a case-insensitive regexp over the latin1 text (one character per byte,
        // so string positions are byte offsets); measured several times faster than lower-casing
        const latin = foldAscii ? chunk.toString("latin1") : null;
        const find = (from: number): number => {
          if (latin === null) return chunk.indexOf(needle, from);
          foldRe.lastIndex = from;
          const m = foldRe.exec(latin);
          return m ? m.index : -1;
        };
        let at = find(0);
        let li = j;
        while (at !== -1 && li <= k) {
          const abs = start + at;
          while (li <= k && idx.lineEnd(lines[li]) < abs + needle.length) li++;
          if (li > k) break;
          if (idx.lineStart(lines[li]) <= abs) {
            const ls = idx.lineStart(lines[li]) - start;
            const le = idx.lineEnd(lines[li]) - start;
            hit(rows[li], ls >= 0 && le <= bytesRead ? chunk.toString("utf8", ls, le) : null);
            at = find(idx.lineEnd(lines[li]) - start);
            li++;
          } else at = find(idx.lineStart(lines[li]) - start); // the hit was between our lines
        }
        j = k + 1;
      }
    } finally {
      await fh.close();
    }
  }

  dispose(): void {
    for (const f of this.files) {
      f.stopFollow?.();
      f.stopFollow = null;
    }
  }
}
