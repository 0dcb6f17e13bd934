/**
 * xLAM's parameter map (`{"city": {"type": "str", "description": ..., "default": ...}}`), checked as
 * its own dialect: type strings are Python-style (`str`, `int`, `List[str]`, `Optional[int]`,
 * `Dict[str, Any]`, `Callable`, `str, optional`). A name close to a known one (`integr`) is a typo
 * and reported with the fix; other names (a class such as `datetime`) are noted as unchecked.
 * xLAM writes `"default": ""` for optional parameters of any type, so defaults are not checked.
 */
import { CODES, type JsonPath, type PathProblem } from "./problems";

type Obj = { [k: string]: unknown };
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Type names the core reads (src/core/schema.ts xlamTypeToSchema) and typing names that constrain nothing. */
const KNOWN = [
  "str", "string", "int", "integer", "float", "number", "double", "bool", "boolean", "list", "array", "tuple", "set",
  "dict", "object", "none", "null", "optional", "union", "any", "callable",
];
const KNOWN_SET: ReadonlySet<string> = new Set(KNOWN);

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** The known name a misspelling is closest to, if it is close enough to be a typo. */
export function xlamTypoOf(word: string): string | undefined {
  const w = word.toLowerCase();
  if (w.length < 3 || KNOWN_SET.has(w)) return undefined;
  let best: string | undefined;
  let bestD = 3;
  for (const k of KNOWN) {
    const d = distance(w, k);
    if (d < bestD || (d === bestD && best !== undefined && k.length < best.length)) {
      best = k;
      bestD = d;
    }
  }
  // One edit for short names, two for longer ones; a prefix of a known name (`integ`) counts too.
  if (best && (bestD === 1 || (bestD === 2 && w.length >= 5))) return best;
  const pre = KNOWN.find((k) => k.length > w.length && k.startsWith(w));
  return pre;
}

/** Checks the type strings of an xLAM parameter map; `base` is the map's path. */
export function checkXlamParams(params: Obj, base: JsonPath, out: PathProblem[]): void {
  for (const arg in params) {
    const spec = params[arg];
    if (!isObj(spec)) continue;
    const t = spec.type;
    const typePath = [...base, arg, "type"];
    if (typeof t !== "string") continue; // the core reads such a map as JSON Schema instead
    if (t.trim() === "") {
      out.push({ code: CODES.unknownType, severity: "warning", path: typePath, message: `Parameter "${arg.slice(0, 60)}" has an empty type: write one (str, int, float, bool, List[str], Dict, ...), or calls are not checked against it.` });
      continue;
    }
    const body = t.replace(/,\s*optional\s*$/i, "");
    const words = body.match(/[A-Za-z_][A-Za-z0-9_.]*/g) ?? [];
    for (const w of words) {
      if (KNOWN_SET.has(w.toLowerCase())) continue;
      const fix = xlamTypoOf(w);
      if (fix) {
        const suggestion = t.replace(new RegExp(`\\b${w.replace(/[.]/g, "\\.")}\\b`), fix);
        out.push({
          code: CODES.unknownType, severity: "warning", path: typePath,
          message: `Unknown xLAM type "${w}" in "${t.slice(0, 60)}": did you mean "${fix}"? As written it constrains nothing, so calls are not checked against it.`,
          data: { fix: "type", suggestion, typePath },
        });
      } else {
        out.push({ code: CODES.unknownType, severity: "information", path: typePath, message: `"${w.slice(0, 60)}" is not a type xLAM's dialect defines (str, int, float, bool, List[...], Dict[...], Tuple[...], Optional[...], Union[...], Any, Callable): calls are not checked against it.` });
      }
      break;
    }
  }
}
