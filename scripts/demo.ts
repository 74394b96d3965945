/**
 * `npm run demo [-- --keep]`: the whole Confiance journey on an in-process chain (served over loopback
 * HTTP JSON-RPC) and an embedded PGlite database in a temporary folder, through the real relay over
 * HTTP with its submitter and indexer running. Prints each step with balances, transaction hashes and
 * gas, then a summary; exits 0 when every check passed. `--keep` leaves the chain and the relay running.
 */
import hre from "hardhat";
import { runJourney } from "./demo/journey/run";

async function main(): Promise<void> {
  const keep = process.argv.slice(2).includes("--keep");
  await hre.run("compile", { quiet: true });
  const ok = await runJourney({ keep });
  process.exit(ok ? 0 : 1);
}

main().catch((err: Error) => {
  console.error(`\ndemo failed: ${err.name}: ${err.message}`);
  if (process.env.DEBUG) console.error(err.stack);
  process.exit(1);
});
