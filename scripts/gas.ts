/**
 * `npm run gas`: measures every action of both contracts on the in-process Hardhat network, prints the
 * tables and rewrites them in docs/gas.md.
 */
import path from "node:path";
import { measureLedger } from "./gas/ledger";
import { measurePoints } from "./gas/points";
import { renderTable, writeSections, type GasSection } from "./gas/report";
import { helpFromDocComment } from "./lib/usage";

async function main(): Promise<void> {
  const sections: GasSection[] = [...(await measureLedger()), ...(await measurePoints())];
  for (const s of sections) console.log(`\n## ${s.name}\n${renderTable(s.rows)}`);
  writeSections(path.join(__dirname, "..", "docs", "gas.md"), sections);
  console.log("\nupdated docs/gas.md");
}

helpFromDocComment(__filename);
main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
