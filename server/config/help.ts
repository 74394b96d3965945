import { envSchema } from "./index";

/** One line per configuration variable with its default, for `--help`: meanings are in README.md (Configuration). */
export function configurationHelp(): string {
  const lines = Object.entries(envSchema.shape).map(([name, schema]) => {
    const def = (schema as { def: { type: string; defaultValue?: unknown } }).def;
    const value = def.type === "default" ? `default ${JSON.stringify(def.defaultValue)}` : "optional";
    return `  ${name.padEnd(34)} ${value}`;
  });
  return lines.join("\n");
}
