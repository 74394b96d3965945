/**
 * `npm run build`: everything production runs, compiled ahead of time, so `npm start` needs neither
 * ts-node nor Vite nor Hardhat:
 *   1. the contracts (Hardhat, for `npm run deploy` and the ABIs' check),
 *   2. the relay and the client module to JavaScript in dist/ (tsc -p tsconfig.build.json), with the
 *      database migrations beside the compiled store,
 *   3. the web app to web/dist (Vite).
 * Prints the time of each step. `--help` prints this.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { buildWeb, webBundleSize } from "./lib/webBuild";
import { compileRelay } from "./lib/compileRelay";

const ROOT = path.resolve(__dirname, "..");
export const DIST = path.join(ROOT, "dist");

function run(step: string, command: string, args: string[]): void {
  const t0 = performance.now();
  const r = spawnSync(command, args, { cwd: ROOT, stdio: "inherit" });
  if (r.status !== 0) throw new Error(`${step} failed (exit status ${r.status ?? r.signal})`);
  console.log(`${step}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

async function main(): Promise<void> {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    console.log("usage: npm run build\n\nCompiles the contracts, the relay and client module to dist/ (started by `npm start`), and the web app to web/dist.");
    return;
  }
  const npx = process.platform === "win32" ? "npx.cmd" : "npx";
  run("contracts", npx, ["hardhat", "compile", "--quiet"]);
  const t0 = performance.now();
  compileRelay(DIST);
  console.log(`relay (tsc): ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const web = await buildWeb({ quiet: true });
  const size = webBundleSize();
  console.log(`web app: ${(web.ms / 1000).toFixed(1)} s (the first page loads ${(size.jsGzip / 1024).toFixed(1)} kB of JavaScript, gzip)`);
  console.log("built: start the relay with `npm start` (configuration from the environment, see .env.example)");
}

main().catch((err: Error) => {
  console.error(`build failed: ${err.message}`);
  process.exit(1);
});
