import { coalitionPointsAbi } from "../../../client/abis";
import { brandBalance, pointsOf, reserveOf, usd } from "../coalition";
import { bold, green, red } from "../print";
import type { Journey } from "./context";

/** The closing account: transactions and gas by payer, balances, backing invariant, checks. */
export async function printSummary(j: Journey): Promise<boolean> {
  const { deployment } = j.coalition;
  j.say.title("Summary");
  const byPayer = new Map<string, { n: number; gas: bigint }>();
  for (const r of j.log.records) {
    const e = byPayer.get(r.paidBy) ?? { n: 0, gas: 0n };
    byPayer.set(r.paidBy, { n: e.n + 1, gas: e.gas + r.gas });
  }
  j.say.fact("transactions", `${j.log.records.length}, ${j.log.totalGas().toLocaleString("en-US")} gas in all`);
  for (const [payer, e] of byPayer) j.say.fact(`  paid by ${payer}`, `${e.n} tx, ${e.gas.toLocaleString("en-US")} gas`);
  const eth = await j.chain.client.getBalance({ address: j.customer.address });
  j.say.fact("customer", `${await pointsOf(j.chain, deployment, j.customer.address)} points; ETH balance ${eth} (never paid gas)`);
  j.say.fact("points", `${j.figures.issued} issued, ${j.figures.reversed} reversed, ${j.figures.redeemed} redeemed at the hotel`);
  for (const b of Object.values(j.brands)) j.say.fact(`  ${b.name}`, `balance ${usd(await brandBalance(j.chain, deployment, b.address))}`);
  const reserve = await reserveOf(j.chain, deployment);
  const supply = await j.chain.client.readContract({ address: deployment.points, abi: coalitionPointsAbi, functionName: "totalSupply" });
  j.say.fact("reserve", `${usd(reserve)} = ${supply} points x ${usd(BigInt(deployment.unitValue))}`);
  j.say.check("reserve == totalSupply x unitValue", reserve === supply * BigInt(deployment.unitValue));
  j.say.fact("presence -> staff screen", `${j.figures.presenceToStaffMs} ms`);
  const failed = j.say.checks.filter((c) => !c.ok);
  const elapsed = j.say.elapsedSeconds().toFixed(1);
  if (failed.length === 0) console.log(`\n${bold(green(`All ${j.say.checks.length} checks passed`))} in ${elapsed} s.`);
  else {
    console.log(`\n${bold(red(`${failed.length} of ${j.say.checks.length} checks failed`))} in ${elapsed} s:`);
    for (const c of failed) console.log(`   step ${c.step}: ${c.what}`);
  }
  return failed.length === 0;
}
