import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

/**
 * Compiles the relay and the client module to JavaScript in `outDir` (tsc -p tsconfig.build.json) and
 * copies the SQL migrations beside the compiled store, which reads them from its own folder. `outDir`
 * must lie inside the repository so that Node finds node_modules from the compiled files.
 */
export function compileRelay(outDir: string): void {
  fs.rmSync(outDir, { recursive: true, force: true });
  const tsc = require.resolve("typescript/bin/tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", path.join(ROOT, "tsconfig.build.json"), "--outDir", outDir], { cwd: ROOT, stdio: "inherit" });
  if (r.status !== 0) throw new Error(`tsc failed (exit status ${r.status ?? r.signal})`);
  const from = path.join(ROOT, "server/store/migrations");
  const to = path.join(outDir, "server/store/migrations");
  fs.mkdirSync(to, { recursive: true });
  for (const f of fs.readdirSync(from)) fs.copyFileSync(path.join(from, f), path.join(to, f));
}
