import fs from "node:fs";

/**
 * `--help` for a command whose usage is its file's leading doc comment: when `-h` or `--help` is among the
 * arguments, prints that comment (without the comment markers) and exits 0. One text serves the reader of
 * the source and the user of the command.
 */
export function helpFromDocComment(file: string, argv: readonly string[] = process.argv.slice(2)): void {
  if (!argv.includes("--help") && !argv.includes("-h")) return;
  const source = fs.readFileSync(file, "utf8");
  const comment = /^\s*\/\*\*([\s\S]*?)\*\//.exec(source)?.[1] ?? "";
  const text = comment
    .split("\n")
    .map((line) => line.replace(/^\s*\* ?/, ""))
    .join("\n")
    .trim();
  process.stdout.write(`${text}\n`);
  process.exit(0);
}
