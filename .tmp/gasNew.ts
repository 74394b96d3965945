import { encodeFunctionData, keccak256, toHex, type Address } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { coalitionPointsAbi } from "../client/abis";
import { setUpBenchWorld } from "../scripts/bench/world";
import { testAccount } from "../scripts/lib/localChain";

async function main() {
  const world = await setUpBenchWorld(2);
  const { chain, brand } = world;
  const client = chain.client;
  const points = world.coalition.deployment.points;
  const account = testAccount(brand.operatorIndex);
  let k = 0;
  for (const n of [1, 2, 50, 300]) {
    const customers = Array.from({ length: n }, () => privateKeyToAccount(generatePrivateKey()).address as Address);
    const data = encodeFunctionData({ abi: coalitionPointsAbi, functionName: "issueBatch", args: [brand.address as Address, customers, customers.map(() => 100n), customers.map(() => keccak256(toHex(`r-${k++}`)))] });
    const gas = await client.estimateGas({ account: account.address, to: points, data });
    console.log(n, "new customers, big points: gas", gas, "per", Number(gas) / n);
  }
  await chain.stop();
  process.exit(0);
}
main();
