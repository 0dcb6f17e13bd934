/**
 * Maps the metric names TRL and verl log onto the one vocabulary of Tool-N1 Studio
 * (trainer/src/tooln1/schemas/metrics.json; tooln1/metrics.py applies the same rules):
 *
 * 1. an exact alias (`reward` from TRL, `critic/score/mean` from verl) becomes our name;
 * 2. a prefix alias (`eval_` / `val/` -> `eval/`, then the rest mapped by rule 1);
 * 3. any other name passes through unchanged, so nothing logged is lost.
 *
 * Values: finite numbers are kept, NaN/Infinity and null become null, anything else is dropped.
 * When an alias and a pass-through name land on the same key, the alias wins.
 */
import vocabulary from "../../trainer/src/tooln1/schemas/metrics.json";

export type MetricSource = "trl" | "verl" | "tooln1";

interface Vocabulary {
  aliases: { [ours: string]: { trl: string[]; verl: string[] } };
  prefix_aliases: { [ours: string]: { trl: string; verl: string } };
}

const vocab = vocabulary as unknown as Vocabulary;

function buildExact(source: "trl" | "verl"): Map<string, string> {
  const m = new Map<string, string>();
  for (const ours in vocab.aliases) for (const theirs of vocab.aliases[ours][source]) if (!m.has(theirs)) m.set(theirs, ours);
  return m;
}

function buildPrefixes(source: "trl" | "verl"): [string, string][] {
  const out: [string, string][] = [];
  for (const ours in vocab.prefix_aliases) {
    const theirs = vocab.prefix_aliases[ours][source];
    if (theirs) out.push([theirs, ours]);
  }
  return out.sort((a, b) => b[0].length - a[0].length);
}

const EXACT = { trl: buildExact("trl"), verl: buildExact("verl") };
const PREFIX = { trl: buildPrefixes("trl"), verl: buildPrefixes("verl") };

/** Our name for one of `source`'s metric names, and whether an alias produced it. */
export function metricName(source: MetricSource, name: string): { name: string; aliased: boolean } {
  if (source === "tooln1") return { name, aliased: false };
  const exact = EXACT[source].get(name);
  if (exact !== undefined) return { name: exact, aliased: true };
  for (const [theirs, ours] of PREFIX[source]) {
    if (!name.startsWith(theirs)) continue;
    const rest = name.slice(theirs.length);
    if (rest === "") return { name: ours.replace(/\/$/, ""), aliased: true };
    const inner = EXACT[source].get(rest);
    return { name: ours + (inner ?? rest), aliased: true };
  }
  return { name, aliased: false };
}

/** Normalises one logged metrics record from `source` to our names. */
export function normalizeMetrics(source: MetricSource, raw: Record<string, unknown>): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  const fromAlias = new Set<string>();
  for (const key of Object.keys(raw)) {
    const v = raw[key];
    let value: number | null;
    if (v === null) value = null;
    else if (typeof v === "number") value = Number.isFinite(v) ? v : null;
    else continue;
    const { name, aliased } = metricName(source, key);
    if (!aliased && fromAlias.has(name)) continue;
    out[name] = value;
    if (aliased) fromAlias.add(name);
  }
  return out;
}
