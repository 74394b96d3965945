import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Address, PublicClient } from "viem";
import { coalitionPointsAbi } from "../../client/abis";
import type { Deployment } from "../../server/chain/deployment";
import { createRelayClient, postDeviceEvent, type DeviceEvent } from "../../client";
import { nodeFetch } from "../../server/http/nodeFetch";
import type { Device } from "../demo/relayClient";
import { sleep, waitFor } from "../demo/wait";
import { benchSignerKeys, customerAddresses, openRelaySession } from "./relaySession";
import { startRelayProcess, type BenchDb } from "./relayProcess";
import { figure, type Figure } from "./stats";
import type { BenchWorld } from "./world";

export class PurchaseBenchError extends Error {
  override name = "PurchaseBenchError";
}

function totalSupply(client: PublicClient, deployment: Deployment): Promise<bigint> {
  return client.readContract({ address: deployment.points, abi: coalitionPointsAbi, functionName: "totalSupply" });
}

/**
 * `count` purchases posted by `clients` concurrent tills through the client module (each signed as it is sent),
 * over node:http (nodeFetch.ts, as the relay's RPC transport); resolves with the points they earned.
 */
export async function postPurchases(url: string, till: Device, customers: readonly Address[], count: number, clients: number): Promise<bigint> {
  const relay = createRelayClient({ url, fetch: nodeFetch(clients) });
  let next = 0;
  let points = 0n;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const event: DeviceEvent = {
        eventId: `buy-${crypto.randomUUID()}`,
        kind: "purchase",
        customer: { wallet: customers[i % customers.length]! },
        receipt: `R-${crypto.randomUUID()}`,
        amount: "1.00",
      };
      const a = await postDeviceEvent(relay, { deviceId: till.id, storeId: till.storeId, sign: till.sign, event });
      if (a.dropped || !a.points) throw new PurchaseBenchError(`purchase ${a.eventId} was not accepted for issuance (${a.dropped ?? "no points"})`);
      points += BigInt(a.points);
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
  return points;
}

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
  const perSecond: number[] = [];
  for (let r = 0; r < p.runs; r++) {
    const before = await totalSupply(p.client, p.deployment);
    const t0 = performance.now();
    const points = await postPurchases(p.url, p.till, p.customers, p.count, p.clients);
    await waitFor(async () => (await totalSupply(p.client, p.deployment)) >= before + points, `${p.count} issuances to be confirmed on chain`, 300_000, 20);
    const seconds = (performance.now() - t0) / 1000;
    perSecond.push(p.count / seconds);
  }
  return figure(perSecond);
}

export interface DrainResult {
  /** Purchases accepted per second by the relay (intake alone: nothing is sent to the chain meanwhile). */
  intake: Figure;
  /** Issues confirmed per second from a queue of `count` once the first transaction landed (steady state: the chain side alone). */
  drain: Figure;
  /** The same from the moment the key's loop started (includes the restarted relay's first, cold batch). */
  fromStart: Figure;
  /** Transactions the drain took (median). */
  transactions: number;
}

/** When the relay's loop for `signer` started, from its log (pino JSON, LOG_LEVEL=info): epoch ms. */
function submitterStartedAt(logFile: string, signer: Address, after: number): number | undefined {
  for (const line of fs.readFileSync(logFile, "utf8").split("\n")) {
    if (!line.includes('"submitter started"')) continue;
    try {
      const j = JSON.parse(line) as { time: number; signer?: string };
      if (j.signer?.toLowerCase() === signer.toLowerCase() && j.time >= after) return j.time;
    } catch {
      /* a partial line */
    }
  }
  return undefined;
}

/**
 * The chain side alone: a relay without the brand's operator key accepts `count` purchases (their issues
 * wait in the outbox, for a key it does not hold), stops, and starts again with the key. Two clocks end when
 * totalSupply on chain includes every point: one from the first transaction's landing (steady state, counting
 * the issues after it), one from the moment that key's loop started (its log line: a cold, just-started relay).
 * Each run uses the same database (a PGlite folder, or a PostgreSQL schema).
 */
export async function benchPurchaseDrain(p: {
  world: BenchWorld;
  dir: string;
  name: string;
  env: Record<string, string>;
  db: BenchDb;
  /** PostgreSQL: the schema both starts share (made by the caller). */
  databaseUrl?: string;
  count: number;
  clients: number;
  runs: number;
}): Promise<DrainResult> {
  const { world } = p;
  const client = world.chain.client;
  const deployment = world.coalition.deployment;
  const customers = customerAddresses(world);
  // Registering the brand needs its operator key in the relay: registered first, then started without it.
  const session = await openRelaySession(world, p.dir, p.name, p.env, { db: p.db, shareDatabaseUrl: p.databaseUrl });
  await session.relay.stop();
  const intake: number[] = [];
  const drain: number[] = [];
  const fromStart: number[] = [];
  const txs: number[] = [];
  const operator = world.brand.operator as Address;
  for (let r = 0; r < p.runs; r++) {
    const intakeRelay = await startRelayProcess({ rpcUrl: world.chain.url, deployment, dir: path.join(p.dir, p.name), signerKeys: benchSignerKeys(world, false), env: p.env, db: p.db, shareDatabaseUrl: p.databaseUrl });
    const t0 = performance.now();
    const points = await postPurchases(intakeRelay.url, session.till, customers, p.count, p.clients);
    intake.push(p.count / ((performance.now() - t0) / 1000));
    await intakeRelay.stop();
    const before = await totalSupply(client, deployment);
    const blockBefore = await client.getBlockNumber();
    const startedAfter = Date.now();
    const sender = await startRelayProcess({
      rpcUrl: world.chain.url,
      deployment,
      dir: path.join(p.dir, p.name),
      signerKeys: benchSignerKeys(world, true),
      env: { ...p.env, LOG_LEVEL: "info" },
      db: p.db,
      shareDatabaseUrl: p.databaseUrl,
    });
    try {
      let done = 0;
      let first: { at: number; supply: bigint } | undefined;
      await waitFor(async () => {
        const supply = await totalSupply(client, deployment);
        const now = Date.now();
        if (!first && supply > before) first = { at: now, supply };
        if (supply < before + points) return false;
        done = now;
        return true;
      }, `${p.count} queued issues to be confirmed on chain`, 300_000, 25);
      await sleep(200); // the log line is written asynchronously
      const t = submitterStartedAt(path.join(p.dir, p.name, "relay.log"), operator, startedAfter);
      if (t === undefined) throw new PurchaseBenchError("the relay's log does not say when the operator key's loop started");
      fromStart.push(p.count / ((done - t) / 1000));
      // Steady state: the points confirmed after the first transaction landed, over the time since.
      const after = Number(before + points - first!.supply) / Number(points / BigInt(p.count));
      drain.push(done > first!.at && after > 0 ? after / ((done - first!.at) / 1000) : p.count / ((done - t) / 1000));
      txs.push(Number((await client.getBlockNumber()) - blockBefore));
    } finally {
      await sender.stop();
    }
  }
  return { intake: figure(intake), drain: figure(drain), fromStart: figure(fromStart), transactions: figure(txs).median };
}
