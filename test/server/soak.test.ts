import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import type { Address, Hex } from "viem";
import { consentLedgerAbi } from "../../client/abis";
import { purposeId } from "../../client/purposes";
import { signCustomerMessage } from "../../client";
import { LocalChain, testAccount } from "../support/chain";
import { openTestDb, testDbKinds, type TestDb } from "../support/db";
import { NOTICE, consentIndexed, pointsIssuedEvent, pointsOf, postEvent, purchaseEvent, registerShop, relayProcess, setupShop, type Answer, type Device, type RelayProcess, type ShopWorld } from "./crash-support";

/**
 * A bounded load-and-fault soak: device purchases and customers' signed grants arrive at a steady rate for
 * SOAK_SECONDS while the relay is killed (SIGKILL) and started again and the JSON-RPC endpoint drops every
 * connection for a few seconds. Afterwards every item is accounted for: each purchase answered 2xx is issued on
 * chain exactly once, each grant answered 202 is on chain exactly once, each refusal carries a reason code, and
 * whatever was never answered (sent while the relay was down) is sent again with the same id until it is.
 * Prints the counts. Runs on PostgreSQL when DATABASE_URL is set (as in CI), else on PGlite.
 */
const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 25);
const PURCHASES_PER_SECOND = 20;
const GRANTS_PER_SECOND = 4;
const GRANTING_CUSTOMERS = 200;
/** How long the JSON-RPC endpoint drops every connection. */
const RPC_DOWN_MS = 4000;

/** A JSON-RPC endpoint in front of the chain that can be made to drop every connection, as a failing provider does. */
async function droppingProxy(target: string) {
  let down = false;
  const stats = { dropped: 0, forwarded: 0 };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (down) {
      stats.dropped++;
      res.socket?.destroy();
      return;
    }
    stats.forwarded++;
    try {
      const upstream = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body: Buffer.concat(chunks) });
      res.writeHead(upstream.status, { "content-type": "application/json" }).end(await upstream.text());
    } catch {
      res.socket?.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats,
    setDown: (value: boolean) => void (down = value),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const kind = testDbKinds().includes("postgres") ? "postgres" : "pglite";

describe(`load-and-fault soak (${kind})`, function () {
  this.timeout(900_000);
  let chain: LocalChain;
  let world: ShopWorld;
  let relay: RelayProcess;
  let proxy: Awaited<ReturnType<typeof droppingProxy>>;
  let pg: TestDb | undefined;

  before(async () => {
    chain = await LocalChain.start();
    world = await setupShop(chain, 5);
    proxy = await droppingProxy(chain.url);
    if (kind === "postgres") pg = await openTestDb("postgres");
    relay = await relayProcess(chain, world, { databaseUrl: pg?.databaseUrl }, { RPC_URL: proxy.url });
  });

  after(async () => {
    await relay?.kill("SIGKILL");
    await proxy?.close();
    await pg?.drop();
    await chain?.stop();
    if (world) fs.rmSync(world.dir, { recursive: true, force: true });
  });

  it("accounts for every item after steady load through relay kills and RPC drops: on chain once, or refused with a reason", async () => {
    await relay.start();
    const device: Device = await registerShop(relay, world);
    await consentIndexed(relay, world);
    // From the chain's clock: other suites in the same run may have moved it ahead of the wall clock.
    const deadline = (await chain.client.getBlock()).timestamp + 3600n;

    const purchases = new Map<number, Answer>();
    const grants = new Map<number, Answer>();
    const refusals = new Map<string, number>();
    let unanswered = 0;
    const refuse = (a: Answer) => {
      const code = (a.body?.error?.code as string | undefined) ?? `http_${a.status}`;
      refusals.set(code, (refusals.get(code) ?? 0) + 1);
    };

    const granter = (i: number) => testAccount(100 + i);
    const grantBody = async (i: number) => {
      const customer = granter(i);
      const message = { subject: customer.address, controller: world.brand, purpose: purposeId("loyalty"), categories: 5n, expiresAt: 0, noticeHash: NOTICE as Hex, nonce: 0n, deadline };
      const signature = await signCustomerMessage({ signer: customer, contracts: world.deployment, primaryType: "Grant", message });
      return { ...message, purpose: "loyalty", categories: "5", nonce: "0", deadline: deadline.toString(), signature };
    };
    const signedGrants = await Promise.all(Array.from({ length: GRANTING_CUSTOMERS }, (_, i) => grantBody(i)));

    const sendPurchase = async (i: number) => {
      try {
        const a = await postEvent(relay, device, purchaseEvent(i, world.customers[i % world.customers.length]!));
        if (a.status >= 200 && a.status < 300) purchases.set(i, a);
        else refuse(a);
      } catch {
        unanswered++;
      }
    };
    const sendGrant = async (i: number) => {
      try {
        const a = await relay.http("POST", "/v1/consents/grant", { body: signedGrants[i] });
        if (a.status === 202) grants.set(i, a);
        else refuse(a);
      } catch {
        unanswered++;
      }
    };

    // Steady load, with faults on a fixed schedule (seconds from the start).
    const faults = [
      { at: 0.25, what: "kill" },
      { at: 0.5, what: "rpc-drop" },
      { at: 0.75, what: "kill" },
    ].map((f) => ({ ...f, at: Math.round(f.at * SOAK_SECONDS * 1000) }));
    const started = Date.now();
    const inFlight: Promise<void>[] = [];
    let nextPurchase = 0;
    let nextGrant = 0;
    let restarts = 0;
    // Faults run one after another beside the load (requests meanwhile fail and are sent again later).
    let faultChain: Promise<void> = Promise.resolve();
    const apply = (what: string) => {
      faultChain = faultChain.then(async () => {
        if (what === "rpc-drop") {
          proxy.setDown(true);
          await new Promise((r) => setTimeout(r, RPC_DOWN_MS));
          return proxy.setDown(false);
        }
        await relay.kill("SIGKILL");
        await relay.start();
        restarts++;
      });
    };
    while (Date.now() - started < SOAK_SECONDS * 1000) {
      const elapsed = Date.now() - started;
      while (nextPurchase < (elapsed / 1000) * PURCHASES_PER_SECOND) inFlight.push(sendPurchase(nextPurchase++));
      while (nextGrant < Math.min(GRANTING_CUSTOMERS, (elapsed / 1000) * GRANTS_PER_SECOND)) inFlight.push(sendGrant(nextGrant++));
      if (faults[0] && elapsed >= faults[0].at) apply(faults.shift()!.what);
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const f of faults) apply(f.what);
    await faultChain;
    proxy.setDown(false);
    await Promise.all(inFlight);
    const sentPurchases = nextPurchase;
    const sentGrants = nextGrant;

    // Whatever was never answered 2xx/202 nor refused for good is sent again with the same id.
    let resent = 0;
    for (let round = 0; round < 20; round++) {
      const missingP = Array.from({ length: sentPurchases }, (_, i) => i).filter((i) => !purchases.has(i));
      const missingG = Array.from({ length: sentGrants }, (_, i) => i).filter((i) => !grants.has(i));
      if (missingP.length + missingG.length === 0) break;
      resent += missingP.length + missingG.length;
      refusals.clear();
      await Promise.all([...missingP.map(sendPurchase), ...missingG.map(sendGrant)]);
    }

    // Every accepted operation settles; none fails.
    const settle = async (a: Answer) => {
      for (let i = 0; i < 3000; i++) {
        const r = await relay.http("GET", `/v1/operations/${a.body.operationId}`);
        if (r.body.status === "confirmed" || r.body.status === "failed") return r.body.status as string;
        await new Promise((res) => setTimeout(res, 50));
      }
      return "unsettled";
    };
    const statuses = await Promise.all([...purchases.values(), ...grants.values()].map(settle));
    const byStatus = statuses.reduce<Record<string, number>>((m, s) => ({ ...m, [s]: (m[s] ?? 0) + 1 }), {});

    const issued = await chain.client.getLogs({ address: world.deployment.points, event: pointsIssuedEvent, fromBlock: BigInt(world.deployment.deployBlock), toBlock: "latest" });
    const granted = await chain.client.getContractEvents({
      address: world.deployment.ledger,
      abi: consentLedgerAbi,
      eventName: "ConsentGranted",
      fromBlock: BigInt(world.deployment.deployBlock),
      toBlock: "latest",
    });

    console.log(
      `      soak ${SOAK_SECONDS} s on ${kind}: ${sentPurchases} purchases and ${sentGrants} grants sent, ${restarts} SIGKILLs, RPC dropped ${proxy.stats.dropped} requests; ` +
        `${unanswered} requests unanswered during faults, ${resent} sent again; accepted ${purchases.size} purchases and ${grants.size} grants; ` +
        `operations ${JSON.stringify(byStatus)}; refusals left ${JSON.stringify(Object.fromEntries(refusals))}; on chain ${issued.length} issuances`,
    );

    expect(restarts).to.equal(2);
    expect(proxy.stats.dropped).to.be.above(0);
    expect(purchases.size).to.equal(sentPurchases);
    expect(grants.size).to.equal(sentGrants);
    expect(byStatus).to.deep.equal({ confirmed: sentPurchases + sentGrants });

    // Purchases: each receipt issued exactly once, with the rule's points.
    const byReceipt = new Map<string, bigint>();
    for (const log of issued) {
      expect(byReceipt.has(log.args.receiptId!), `receipt ${log.args.receiptId} issued twice`).to.equal(false);
      byReceipt.set(log.args.receiptId!, log.args.points!);
    }
    expect(issued.length).to.equal(sentPurchases);
    for (const [i, a] of purchases) expect(byReceipt.get(a.body.receiptId as string), `purchase ${i}`).to.equal(pointsOf(i));

    // Grants: each customer's nonce moved exactly once and the consent is active.
    for (let i = 0; i < sentGrants; i++) {
      const subject: Address = granter(i).address;
      const nonce = await chain.client.readContract({ address: world.deployment.ledger, abi: consentLedgerAbi, functionName: "nonces", args: [subject] });
      expect(nonce, `nonce of granting customer ${i}`).to.equal(1n);
    }
    const subjects = granted.map((l) => l.args.subject!.toLowerCase());
    const soakSubjects = new Set(Array.from({ length: sentGrants }, (_, i) => granter(i).address.toLowerCase()));
    expect(subjects.filter((s) => soakSubjects.has(s)).length, "grants on chain").to.equal(sentGrants);
  });
});
