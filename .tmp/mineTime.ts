import { encodeFunctionData, keccak256, toHex, type Address } from "viem";
import { coalitionPointsAbi } from "../client/abis";
import { setUpBenchWorld } from "../scripts/bench/world";
import { testAccount } from "../scripts/lib/localChain";

async function main() {
  const world = await setUpBenchWorld(8);
  const { chain, brand } = world;
  const client = chain.client;
  const points = world.coalition.deployment.points;
  const wallet = chain.wallet(brand.operatorIndex);
  const account = testAccount(brand.operatorIndex);
  let k = 0;
  for (const n of [1, 2, 10, 100, 300, 300, 300]) {
    const customers = Array.from({ length: n }, (_, i) => world.customers[i % 8]!.address as Address);
    const pts = customers.map(() => 100n);
    const ids = customers.map(() => keccak256(toHex(`r-${k++}`)));
    const data = encodeFunctionData({ abi: coalitionPointsAbi, functionName: "issueBatch", args: [brand.address as Address, customers, pts, ids] });
    let t = performance.now();
    const gas = await client.estimateGas({ account: account.address, to: points, data });
    const tEst = performance.now() - t;
    t = performance.now();
    await client.call({ account: account.address, to: points, data });
    const tCall = performance.now() - t;
    t = performance.now();
    const hash = await wallet.sendTransaction({ to: points, data, gas: gas * 2n > 16_000_000n ? 16_000_000n : gas * 2n });
    const tSend = performance.now() - t;
    t = performance.now();
    const r = await client.waitForTransactionReceipt({ hash });
    console.log(n, "gas", gas, "per", Number(gas) / n, "used", r.gasUsed, "est ms", tEst.toFixed(0), "call ms", tCall.toFixed(0), "send ms", tSend.toFixed(0), "receipt ms", (performance.now() - t).toFixed(0));
  }
  await chain.stop();
  process.exit(0);
}
main();
