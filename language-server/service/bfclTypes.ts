/**
 * BFCL's type names and the JSON Schema type each maps to, as BFCL itself defines them in
 * `bfcl_eval/constants/type_mappings.py` (bfcl-eval 2026.3.23; a copy is checked in under
 * test/fixtures/real/bfcl/ and a unit test holds this table to it): every key of
 * GORILLA_TO_OPENAPI with its value, plus the keys that only JAVA_TYPE_CONVERSION or
 * JS_TYPE_CONVERSION name (`Set`, `Boolean`), mapped through their Python type.
 */
export const BFCL_TYPE_MAP: Readonly<Record<string, string>> = {
  integer: "integer",
  number: "number",
  float: "number",
  string: "string",
  boolean: "boolean",
  bool: "boolean",
  array: "array",
  list: "array",
  dict: "object",
  object: "object",
  tuple: "array",
  any: "string",
  byte: "integer",
  short: "integer",
  long: "integer",
  double: "number",
  char: "string",
  ArrayList: "array",
  Array: "array",
  HashMap: "object",
  Hashtable: "object",
  Queue: "array",
  Stack: "array",
  Any: "string",
  String: "string",
  Bigint: "integer",
  // Only in JAVA_TYPE_CONVERSION ("Set": set) and JS_TYPE_CONVERSION ("Boolean": bool).
  Set: "array",
  Boolean: "boolean",
};

/** Where a BFCL type name comes from, for hover text. */
export function bfclTypeOrigin(name: string): string {
  if (name === "Set") return "Java";
  if (name === "Boolean") return "JavaScript";
  if (/^[A-Z]/.test(name) || ["byte", "short", "long", "double", "char"].includes(name)) return "Java/JavaScript";
  return "Python";
}

/** BFCL's type names in a schema replaced by their JSON Schema names (`any` is left to the core's conversion). */
export function mapBfclTypeNames(node: unknown, depth = 0): unknown {
  if (depth > 64 || typeof node !== "object" || node === null) return node;
  if (Array.isArray(node)) return node.map((x) => mapBfclTypeNames(x, depth + 1));
  const out: { [k: string]: unknown } = {};
  for (const [k, v] of Object.entries(node)) {
    const map = (t: unknown) => (typeof t === "string" && t !== "any" && Object.hasOwn(BFCL_TYPE_MAP, t) ? BFCL_TYPE_MAP[t] : t);
    if (k === "type" && typeof v === "string") out[k] = map(v);
    else if (k === "type" && Array.isArray(v)) out[k] = v.map(map);
    else out[k] = mapBfclTypeNames(v, depth + 1);
  }
  return out;
}

/** A BFCL Java or JavaScript type name (`String`, `HashMap`, `long`, `Boolean`, ...), not one of Python's. */
export function isBfclCodeType(name: string): boolean {
  return Object.hasOwn(BFCL_TYPE_MAP, name) && bfclTypeOrigin(name) !== "Python";
}

/**
 * True for a sample of BFCL's Java or JavaScript categories: its id names the category (BFCL's
 * `simple_java_3`, `simple_javascript_5`; BFCL picks the language from the category the same way), or
 * one of its BFCL tools uses a Java/JavaScript type name. There every argument is source text, a
 * string, that BFCL's checker converts (`java_type_converter`, `js_type_converter`).
 */
export function isBfclCodeSample(id: string | undefined, tools: readonly { dialect: string; parameters: unknown }[]): boolean {
  if (id !== undefined && /(?:^|_)java(?:script)?_\d+$/.test(id)) return true;
  return tools.some((t) => t.dialect === "bfcl" && hasCodeType(t.parameters, 0));
}

function hasCodeType(node: unknown, depth: number): boolean {
  if (depth > 64 || typeof node !== "object" || node === null) return false;
  if (Array.isArray(node)) return node.some((x) => hasCodeType(x, depth + 1));
  for (const [k, v] of Object.entries(node)) {
    if (k === "type" && typeof v === "string" && isBfclCodeType(v)) return true;
    if (hasCodeType(v, depth + 1)) return true;
  }
  return false;
}
