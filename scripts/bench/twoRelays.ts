import path from "node:path";
import pg from "pg";
import { parseAbiItem } from "viem";
import { coalitionPointsAbi } from "../../client/abis";
import { benchEvents } from "./events";
import { postPurchases } from "./purchases";
import { benchSignerKeys, customerAddresses, openRelaySession } from "./relaySession";
import { dropSchema, freshSchema, startRelayProcess } from "./relayProcess";
import type { BenchWorld } from "./world";
import { waitFor } from "../demo/wait";

export class DoneTwiceError extends Error {
  override name = "DoneTwiceError";
}

const ISSUED = parseAbiItem("event PointsIssued(address indexed brand, address indexed customer, uint256 points, bytes32 indexed receiptId)");

/** Two relay processes on one PostgreSQL schema: the combined rates, and the counts that show nothing was done twice. */
export interface TwoRelaysResult {
  events: { accepted: number; seconds: number; perSecond: number; stored: number };
  purchases: { accepted: number; seconds: number; perSecond: number; issuedOnChain: number; distinctReceipts: number; confirmedOperations: number; supplyDelta: bigint; points: bigint };
  /** Which instance held each key's lease at the end (one owner per key). */
  leaseOwners: number;
}

async function one<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows[0]!;
  } finally {
    await c.end();
  }
}

export async function benchTwoRelays(p: {
  world: BenchWorld;
  dir: string;
  env: Record<string, string>;
  baseUrl: string;
  events: number;
  purchases: number;
  clients: number;
}): Promise<TwoRelaysResult> {
  const { world } = p;
  const client = world.chain.client;
  const deployment = world.coalition.deployment;
  const customers = customerAddresses(world);
  const shared = await freshSchema(p.baseUrl, "two");
  const a = await openRelaySession(world, p.dir, "two-a", p.env, { db: { kind: "postgres", url: p.baseUrl }, shareDatabaseUrl: shared.url });
  const b = await startRelayProcess({ rpcUrl: world.chain.url, deployment, dir: path.join(p.dir, "two-b"), signerKeys: benchSignerKeys(world), env: p.env, shareDatabaseUrl: shared.url });
  try {
    await waitFor(async () => (await b.lag()) <= 1, "the second relay's indexer to catch up", 120_000, 100);
    const storedBefore = Number((await one<{ n: string }>(shared.url, "SELECT count(*)::text AS n FROM relay_device_events WHERE kind = 'presence'")).n);
    // Device events: half the clients on each instance, at the same time.
    const t0 = performance.now();
    const [ea, eb] = await Promise.all(
      [a.relay.url, b.url].map((url) => benchEvents({ url, device: a.beacon, customers, concurrency: [p.clients / 2], requests: { [p.clients / 2]: p.events / 2 }, runs: 1 })),
    );
    const eventSeconds = (performance.now() - t0) / 1000;
    // benchEvents sends 100 warm-up events too, counted here: they ran in the same wall time.
    const accepted = 2 * (p.events / 2 + 100);
    const stored = Number((await one<{ n: string }>(shared.url, "SELECT count(*)::text AS n FROM relay_device_events WHERE kind = 'presence'")).n) - storedBefore;
    if (!ea || !eb) throw new DoneTwiceError("no events figure");

    // Purchases: tills on both instances at once, until the chain holds every point.
    const supplyBefore = await client.readContract({ address: deployment.points, abi: coalitionPointsAbi, functionName: "totalSupply" });
    const fromBlock = (await client.getBlockNumber()) + 1n;
    const opsBefore = Number((await one<{ n: string }>(shared.url, "SELECT count(*)::text AS n FROM operations WHERE kind = 'issue' AND status = 'confirmed'")).n);
    const t1 = performance.now();
    const points = (await Promise.all([a.relay.url, b.url].map((url) => postPurchases(url, a.till, customers, p.purchases / 2, p.clients / 2)))).reduce((x, y) => x + y, 0n);
    await waitFor(
      async () => (await client.readContract({ address: deployment.points, abi: coalitionPointsAbi, functionName: "totalSupply" })) >= supplyBefore + points,
      "every purchase issued on chain",
      300_000,
      10,
    );
    const purchaseSeconds = (performance.now() - t1) / 1000;
    // Let both submitters mark what they sent confirmed before counting rows.
    await waitFor(
      async () => Number((await one<{ n: string }>(shared.url, "SELECT count(*)::text AS n FROM operations WHERE kind = 'issue' AND status IN ('queued', 'submitted')")).n) === 0,
      "the outbox to settle",
      60_000,
      50,
    );
    const supplyAfter = await client.readContract({ address: deployment.points, abi: coalitionPointsAbi, functionName: "totalSupply" });
    const logs = await client.getLogs({ address: deployment.points, event: ISSUED, fromBlock, toBlock: "latest" });
    const confirmedOperations = Number((await one<{ n: string }>(shared.url, "SELECT count(*)::text AS n FROM operations WHERE kind = 'issue' AND status = 'confirmed'")).n) - opsBefore;
    const leases = Number((await one<{ n: string }>(shared.url, "SELECT count(DISTINCT owner)::text AS n FROM signer_leases")).n);
    const result: TwoRelaysResult = {
      events: { accepted, seconds: eventSeconds, perSecond: accepted / eventSeconds, stored },
      purchases: {
        accepted: p.purchases,
        seconds: purchaseSeconds,
        perSecond: p.purchases / purchaseSeconds,
        issuedOnChain: logs.length,
        distinctReceipts: new Set(logs.map((l) => l.args.receiptId)).size,
        confirmedOperations,
        supplyDelta: supplyAfter - supplyBefore,
        points,
      },
      leaseOwners: leases,
    };
    const r = result.purchases;
    if (stored !== accepted) throw new DoneTwiceError(`${accepted} presence events accepted but ${stored} stored`);
    if (r.issuedOnChain !== r.accepted || r.distinctReceipts !== r.accepted || r.confirmedOperations !== r.accepted || r.supplyDelta !== r.points) {
      throw new DoneTwiceError(`purchases: ${r.accepted} accepted, ${r.issuedOnChain} PointsIssued events (${r.distinctReceipts} receipts), ${r.confirmedOperations} issues confirmed, supply +${r.supplyDelta} for ${r.points} points`);
    }
    return result;
  } finally {
    await b.stop();
    await a.relay.stop();
    await dropSchema(p.baseUrl, shared.schema).catch(() => undefined);
  }
}
