/**
 * Type guards for messages a webview posts to the host. A webview runs model output and workspace
 * data next to its own script, so each message is untrusted input: every host handler checks it
 * with a guard built here (`messageGuard`) before it reads a field. No DOM, no Node.
 */

/** A check of one value. */
export type Check = (v: unknown) => boolean;

export const str: Check = (v) => typeof v === "string";
export const num: Check = (v) => typeof v === "number" && Number.isFinite(v);
export const int: Check = (v) => Number.isSafeInteger(v);
export const nat: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
export const bool: Check = (v) => typeof v === "boolean";
export const anything: Check = () => true;
export const opt = (c: Check): Check => (v) => v === undefined || c(v);
export const nullable = (c: Check): Check => (v) => v === null || c(v);
export const oneOf = (...values: readonly unknown[]): Check => (v) => values.includes(v);
export const arrayOf = (c: Check): Check => (v) => Array.isArray(v) && v.every(c);
export const recordOf = (c: Check): Check => (v) => isPlain(v) && Object.values(v).every(c);

function isPlain(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** An object with these fields (extra fields are allowed and ignored). */
export const obj =
  (shape: Record<string, Check>): Check =>
  (v) =>
    isPlain(v) && Object.keys(shape).every((k) => shape[k](v[k]));

/** One shape per message `type`: the guard accepts exactly the listed types with valid fields. */
export function messageGuard<M extends { type: string }>(shapes: { [K in M["type"]]: Record<string, Check> }): (m: unknown) => m is M {
  const table = shapes as Record<string, Record<string, Check>>;
  return (m: unknown): m is M => isPlain(m) && typeof m.type === "string" && Object.hasOwn(table, m.type) && obj(table[m.type])(m);
}
