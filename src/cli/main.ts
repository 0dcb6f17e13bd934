#!/usr/bin/env node
/**
 * `tooln1` (node dist/cli.js): the headless CLI over the same pure core as the extension.
 * Each command lives in its own module and exports `run(argv): Promise<number>` (the exit code).
 */
import { run as score } from "./score";
import { run as convert } from "./convert";
import { run as check } from "./check";

type Command = { run: (argv: string[]) => Promise<number>; help: string };

const COMMANDS: Record<string, Command> = {
  score: { run: score, help: "Score completions against ground-truth calls (JSONL in, JSONL out)." },
  convert: { run: convert, help: "Convert a dataset from another format to Tool-N1 samples." },
  check: { run: check, help: "Check tool schema files and datasets; --json for one problem per line." },
};

function usage(): string {
  return ["usage: tooln1 COMMAND [ARGS]", "", "commands:", ...Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(10)} ${c.help}`)].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name) {
    process.stderr.write(usage() + "\n");
    return 2;
  }
  if (name === "-h" || name === "--help") {
    process.stdout.write(usage() + "\n");
    return 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`tooln1: unknown command '${name}'\n\n${usage()}\n`);
    return 2;
  }
  return cmd.run(rest);
}

/** Exit status when the reader of stdout went away (`tooln1 score f | head -1`): 128 + SIGPIPE. */
export const CLOSED_PIPE_EXIT = 141;

// A closed pipe is the reader's choice, not an error: stop quietly, as a Unix tool killed by SIGPIPE.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(CLOSED_PIPE_EXIT);
  process.stderr.write(`tooln1: cannot write the output: ${e.message}\n`);
  process.exit(1);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`tooln1: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
