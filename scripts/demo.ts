/**
 * `npm run demo [-- --keep]`: the whole Confiance journey on an in-process chain (served over loopback
 * HTTP JSON-RPC) and an embedded PGlite database in a temporary folder, through the real relay over
 * HTTP with its submitter and indexer running. Prints each step with balances, transaction hashes and
 * gas, then a summary; exits 0 when every check passed. `--keep` leaves the chain and the relay (serving
 * the web app, built first when web/ or client/ changed) running.
 */
import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { runJourney } from "./demo/journey/run";
import { buildWeb } from "./lib/webBuild";
import { helpFromDocComment } from "./lib/usage";

async function main(): Promise<void> {
  const keep = process.argv.slice(2).includes("--keep");
  const fresh = !fs.existsSync(path.join(hre.config.paths.artifacts, "contracts"));
  if (fresh) console.log("compiling the contracts (first run only: the pinned solc compiler is WebAssembly, give it half a minute)...");
  const t0 = performance.now();
  await hre.run("compile", { quiet: true });
  const compileSeconds = (performance.now() - t0) / 1000;
  const web = await buildWeb({ ifStale: true, quiet: true });
  if (web.built) console.log(`web app built into web/dist in ${(web.ms / 1000).toFixed(1)} s`);
  const ok = await runJourney({ keep });
  console.log(`(whole command: ${process.uptime().toFixed(1)} s${fresh ? `, of which ${compileSeconds.toFixed(1)} s compiling` : ""})`);
  process.exit(ok ? 0 : 1);
}

helpFromDocComment(__filename);
main().catch((err: Error) => {
  console.error(`\ndemo failed: ${err.name}: ${err.message}`);
  if (process.env.DEBUG) console.error(err.stack);
  process.exit(1);
});
