/**
 * `tooln1 convert --from FORMAT [--answers FILE] IN OUT`: another dataset format to canonical
 * Tool-N1 samples (JSONL). Same output bytes and report as `python -m tooln1 convert`.
 * Exit code: 0, or 2 when some input lines could not be read (they are reported and skipped),
 * 1 when a file cannot be read or written.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { FORMATS, answersFromText, convertText, summary, type ImportFormat } from "../core/importers";

const USAGE = `usage: tooln1 convert --from {${FORMATS.join(",")}} [--answers FILE] IN OUT

Convert a tool-calling dataset to canonical Tool-N1 samples (JSONL).
  --from FORMAT   input format
  --answers FILE  bfcl: the possible_answer file matching the questions (by id)
  IN              input file: a JSON array or JSON lines
  OUT             output .jsonl file ('-' for stdout)
`;

function fail(msg: string): number {
  process.stderr.write(`tooln1 convert: ${msg}\n\n${USAGE}`);
  return 2;
}

export async function run(argv: string[]): Promise<number> {
  let fmt: string | undefined;
  let answersPath: string | undefined;
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-h" || a === "--help") {
      process.stdout.write(USAGE);
      return 0;
    } else if (a === "--from" || a === "--answers") {
      const v = argv[++i];
      if (v === undefined) return fail(`${a} needs a value`);
      if (a === "--from") fmt = v;
      else answersPath = v;
    } else if (a.startsWith("--from=")) fmt = a.slice(7);
    else if (a.startsWith("--answers=")) answersPath = a.slice(10);
    else if (a.startsWith("--") && a !== "-") return fail(`unknown option ${a}`);
    else positional.push(a);
  }
  if (!fmt) return fail("--from FORMAT is required");
  if (!(FORMATS as readonly string[]).includes(fmt)) return fail(`unknown format '${fmt}'; one of: ${FORMATS.join(", ")}`);
  if (positional.length !== 2) return fail("expected an input file and an output file");
  const [input, output] = positional;

  let text: string;
  try {
    text = readFileSync(input, "utf8");
  } catch (e) {
    process.stderr.write(`tooln1 convert: cannot read ${input}: ${(e as Error).message}\n`);
    return 1;
  }
  let answers = null;
  if (answersPath) {
    try {
      answers = answersFromText(readFileSync(answersPath, "utf8")).answers;
    } catch (e) {
      process.stderr.write(`tooln1 convert: cannot read ${answersPath}: ${(e as Error).message}\n`);
      return 1;
    }
  } else if (fmt === "bfcl") {
    process.stderr.write("tooln1 convert: --from bfcl needs --answers POSSIBLE_ANSWER_FILE (unless records carry ground_truth)\n");
  }
  const result = convertText(fmt as ImportFormat, text, answers);
  const body = result.lines.map((l) => l + "\n").join("");
  if (output === "-") process.stdout.write(body);
  else {
    try {
      mkdirSync(dirname(resolve(output)), { recursive: true });
      writeFileSync(output, body, "utf8");
    } catch (e) {
      process.stderr.write(`tooln1 convert: cannot write ${output}: ${(e as Error).message}\n`);
      return 1;
    }
  }
  process.stderr.write(summary(result, output));
  return result.bad.length ? 2 : 0;
}
