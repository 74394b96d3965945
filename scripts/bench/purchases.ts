import crypto from "node:crypto";
import type { Address, PublicClient } from "viem";
import { coalitionPointsAbi } from "../../client/abis";
import type { Deployment } from "../../server/chain/deployment";
import { postDeviceEvent, type Device } from "../demo/relayClient";
import { waitFor } from "../demo/wait";
import { figure, type Figure } from "./stats";

/**
 * Purchases to confirmed issuance per second: `count` purchases posted by `clients` concurrent tills;
 * the clock runs from the first request to the moment totalSupply on chain includes every point issued.
 */
export async function benchPurchases(p: {
  url: string;
  client: PublicClient;
  deployment: Deployment;
  till: Device;
  customers: readonly Address[];
  count: number;
  clients: number;
  runs: number;
}): Promise<Figure> {
  const supply = () => p.client.readContract({ address: p.deployment.points, abi: coalitionPointsAbi, functionName: "totalSupply" });
  const perSecond: number[] = [];
  for (let r = 0; r < p.runs; r++) {
    const before = await supply();
    let next = 0;
    let points = 0n;
    const t0 = performance.now();
    const worker = async () => {
      while (next < p.count) {
        const i = next++;
        const a = await postDeviceEvent(p.url, p.till, {
          eventId: `buy-${crypto.randomUUID()}`,
          kind: "purchase",
          customer: { wallet: p.customers[i % p.customers.length]! },
          receipt: `R-${crypto.randomUUID()}`,
          amount: "1.00",
        });
        if (a.dropped || !a.points) throw new Error(`purchase ${a.eventId} was not accepted for issuance (${a.dropped ?? "no points"})`);
        points += BigInt(a.points);
      }
    };
    await Promise.all(Array.from({ length: p.clients }, worker));
    await waitFor(async () => (await supply()) >= before + points, `${p.count} issuances to be confirmed on chain`, 300_000, 20);
    const seconds = (performance.now() - t0) / 1000;
    perSecond.push(p.count / seconds);
  }
  return figure(perSecond);
}
