import { envSchema } from "./index";

/** One line per configuration variable with its default, for `--help`: meanings are in README.md (Configuration). */
export function configurationHelp(): string {
  const lines = Object.entries(envSchema.shape).map(([name, schema]) => {
    const def = (schema as { def: { type: string; defaultValue?: unknown } }).def;
    const shown = typeof def.defaultValue === "bigint" ? def.defaultValue.toString() : JSON.stringify(def.defaultValue);
    const value = def.type === "default" ? `default ${shown}` : "optional";
    return `  ${name.padEnd(34)} ${value}`;
  });
  return lines.join("\n");
}
