import fs from "node:fs";
import path from "node:path";
import { ConfigError } from "./index";

/**
 * Loads `.env` from the working directory (or the file ENV_FILE names) into `process.env`, for the
 * relay and the commands; a variable already set in the environment wins over the file. Returns the
 * file read, or undefined when there is none. `.env.example` shows one that runs node, deploy and relay.
 */
export function loadEnvFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = path.resolve(env.ENV_FILE ?? ".env");
  if (!fs.existsSync(file)) {
    if (env.ENV_FILE) throw new ConfigError(`ENV_FILE ${env.ENV_FILE} does not exist`);
    return undefined;
  }
  process.loadEnvFile(file);
  return file;
}
