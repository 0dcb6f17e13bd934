/** `tooln1 convert`. */
export async function run(_argv: string[]): Promise<number> {
  process.stderr.write("tooln1 convert: this command is being built (see its issue)\n");
  return 1;
}
