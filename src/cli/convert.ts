/**
 * `tooln1 convert ...`: runs the Python trainer's importers (`python -m tooln1 convert`), the one
 * implementation of every dataset format (trainer/src/tooln1/importers.py). Arguments, output bytes,
 * the report on stderr and the exit code are the Python command's. The interpreter: `TOOLN1_PYTHON`,
 * else a `.venv` beside the working folder or this CLI's checkout, else `python3`.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

const HELP = `usage: tooln1 convert --from FORMAT [--answers FILE] IN OUT

Runs the trainer's importers: python -m tooln1 convert (see its --help for the formats).
The Python interpreter comes from TOOLN1_PYTHON, else .venv/bin/python in the working folder or
this checkout, else python3; the trainer must be installed in it (pip install -e trainer).
`;

/** The interpreter `convert` runs. */
export function findPython(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  if (env.TOOLN1_PYTHON) return env.TOOLN1_PYTHON;
  const bin = process.platform === "win32" ? join("Scripts", "python.exe") : join("bin", "python");
  const here = typeof __dirname === "string" ? __dirname : cwd;
  for (const dir of [cwd, resolve(here, ".."), resolve(here, "..", "..")]) {
    const p = join(dir, ".venv", bin);
    if (existsSync(p)) return p;
  }
  return process.platform === "win32" ? "python" : "python3";
}

export async function run(argv: string[]): Promise<number> {
  const python = findPython();
  if (argv.includes("-h") || argv.includes("--help")) process.stdout.write(HELP + "\n");
  return await new Promise<number>((res) => {
    let stderrTail = "";
    const child = spawn(python, ["-m", "tooln1", "convert", ...argv], { stdio: ["inherit", "inherit", "pipe"] });
    child.stderr.on("data", (b: Buffer) => {
      process.stderr.write(b);
      stderrTail = (stderrTail + b.toString("utf8")).slice(-4000);
    });
    child.on("error", (e) => {
      process.stderr.write(`tooln1 convert: cannot run ${python} (${e.message}). Set TOOLN1_PYTHON to a Python with the trainer installed (pip install -e trainer).\n`);
      res(1);
    });
    child.on("close", (code) => {
      if (code !== 0 && /No module named '?tooln1/.test(stderrTail)) {
        process.stderr.write(`tooln1 convert: ${python} has no trainer (the importers live in it). Install it (pip install -e trainer) or set TOOLN1_PYTHON to a Python that has it.\n`);
      }
      res(code ?? 1);
    });
  });
}
