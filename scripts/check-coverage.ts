/**
 * Fails when line coverage of a listed contract is below the floor. Reads the json-summary that
 * `npm run coverage` writes. Usage: ts-node scripts/check-coverage.ts [floor=95]
 */
import fs from "node:fs";
import path from "node:path";

const floor = Number(process.argv[2] ?? 95);
const contracts = ["contracts/ConsentLedger.sol", "contracts/CoalitionPoints.sol"];
const summary = JSON.parse(fs.readFileSync("coverage/coverage-summary.json", "utf8")) as Record<
  string,
  { lines: { pct: number } }
>;
let failed = false;
for (const c of contracts) {
  const key = Object.keys(summary).find((k) => path.resolve(k) === path.resolve(c));
  if (!key) {
    console.error(`coverage: ${c} is missing from the report`);
    failed = true;
    continue;
  }
  const pct = summary[key].lines.pct;
  console.log(`coverage: ${c} lines ${pct}% (floor ${floor}%)`);
  if (pct < floor) failed = true;
}
process.exit(failed ? 1 : 0);
