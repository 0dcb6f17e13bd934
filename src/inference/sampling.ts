/**
 * Next-token selection over a logits row: greedy (argmax) or temperature + top-p (nucleus)
 * sampling with a seeded generator, so a run can be repeated exactly. Pure: no node, no ORT.
 */

export interface SamplingOptions {
  /** 0 (or less) means greedy. */
  temperature: number;
  /** Nucleus mass in (0, 1]; 1 keeps every token. */
  topP: number;
  /** Seed of the sampler's random generator (ignored when greedy). */
  seed?: number;
}

/** Index of the largest value; the first one on ties (what torch.argmax returns). */
export function argmax(row: Float32Array, offset = 0, length = row.length - offset): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < length; i++) {
    const v = row[offset + i];
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

export { seededRandom } from "../core/random";

/**
 * Picks the next token from `length` logits starting at `offset`.
 * Temperature scales the logits; top-p keeps the smallest set of most likely tokens whose
 * probability reaches `topP`, renormalised; then one is drawn with `random`.
 */
export function sampleToken(
  row: Float32Array,
  opts: SamplingOptions,
  random: () => number,
  offset = 0,
  length = row.length - offset,
): number {
  if (!(opts.temperature > 0)) return argmax(row, offset, length);
  const invT = 1 / opts.temperature;
  let max = -Infinity;
  for (let i = 0; i < length; i++) max = Math.max(max, row[offset + i]);
  const probs = new Float64Array(length);
  let sum = 0;
  for (let i = 0; i < length; i++) {
    const p = Math.exp((row[offset + i] - max) * invT);
    probs[i] = p;
    sum += p;
  }
  const topP = opts.topP > 0 && opts.topP < 1 ? opts.topP : 1;
  let candidates: number[];
  if (topP < 1) {
    // Only sort what could matter: tokens with probability above a tiny floor.
    const floor = (sum * 1e-12) / length;
    candidates = [];
    for (let i = 0; i < length; i++) if (probs[i] > floor) candidates.push(i);
    candidates.sort((x, y) => probs[y] - probs[x] || x - y);
    let mass = 0;
    let keep = 0;
    while (keep < candidates.length) {
      mass += probs[candidates[keep]];
      keep++;
      if (mass >= topP * sum) break;
    }
    candidates.length = keep;
    sum = mass;
  } else {
    candidates = Array.from({ length }, (_, i) => i);
  }
  let r = random() * sum;
  for (const i of candidates) {
    r -= probs[i];
    if (r < 0) return i;
  }
  return candidates[candidates.length - 1];
}
