import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { LocalChain, testPrivateKey } from "../../lib/localChain";
import { Narrator } from "../print";
import { startRelayHost } from "../relayHost";
import { relayAt } from "../relayClient";
import { WEB_DIST } from "../../lib/webBuild";
import { openDb } from "../../../server/store/db";
import { openStaffScreen } from "../staffStream";
import { TxLog } from "../txlog";
import { stepAudit } from "./audit";
import { stepGrants, stepNonConsenting, stepPresence, stepRevocation } from "./consent";
import { stepRights } from "./rights";
import type { Journey } from "./context";
import { stepPurchaseAndReturn, stepRedeemAtHotel } from "./points";
import { stepProgramme } from "./programme";
import { BRAND_SPECS, registerAtRelay, setUpChain } from "./setup";
import { printSummary } from "./summary";

/** Relay settings for a chain that mines each transaction at once and cannot reorganise. */
export const DEMO_RELAY_ENV: Record<string, string> = {
  SUBMITTER_POLL_MS: "25",
  BATCH_WAIT_MS: "100",
  CONFIRMATIONS: "1",
  INDEXER_CONFIRMATIONS: "0",
  INDEXER_POLL_MS: "50",
  WEBHOOK_ALLOW_LOOPBACK: "true",
  WEBHOOK_POLL_MS: "50",
  LOYALTY_POLL_MS: "100",
};

/** Relay keys: account 2 sends by-signature calls; each brand's operator key sends its issue and reverse. */
export const RELAY_KEY_INDEX = 2;
export const RELAY_KEY_INDICES = [RELAY_KEY_INDEX, ...Object.values(BRAND_SPECS).map((b) => b.operatorIndex)];

export async function runJourney(opts: { keep: boolean }): Promise<boolean> {
  const say = new Narrator();
  say.title("Confiance: one customer's journey across three partner brands");
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "confiance-demo-"));
  const cleanup: (() => Promise<void> | void)[] = [];
  // PGlite's first start in a fresh folder (initdb, migrations) takes seconds: overlap it with the chain set-up.
  const dbReady = openDb({ dataDir: path.join(dir, "pgdata") });
  try {
    const chain = await LocalChain.start({ pollingMs: 50 });
    cleanup.unshift(() => chain.stop());
    const log = new TxLog(chain.client);

    say.begin("Governance admits three partner brands; each deposits backing, defines purposes with notices, registers a store and devices");
    say.fact("chain", `in-process Hardhat network, JSON-RPC at ${chain.url} (chain id ${await chain.client.getChainId()})`);
    const coalition = await setUpChain({ chain, log, say });
    const host = await startRelayHost({
      rpcUrl: chain.url,
      deployment: coalition.deployment,
      dir,
      signerKeys: RELAY_KEY_INDICES.map(testPrivateKey),
      env: DEMO_RELAY_ENV,
      logLevel: "info",
      db: await dbReady,
      webDir: WEB_DIST,
    });
    cleanup.unshift(() => host.stop());
    say.fact("relay", `${host.url} (PGlite in ${path.join(dir, "pgdata")}; submitter and indexer running; log ${path.join(dir, "relay.log")})`);
    const brands = await registerAtRelay(host, coalition, say, chain);
    const staff = await openStaffScreen(host.url, brands.fashion.store.id, brands.fashion.relay.apiKey);
    cleanup.unshift(() => staff.close());
    say.fact("staff screen", `subscribed to ${host.url}/v1/brand/stores/${brands.fashion.store.id}/stream (server-sent events)`);

    const customerKey = generatePrivateKey();
    const j: Journey = {
      dir,
      chain,
      coalition,
      host,
      log,
      say,
      brands,
      relay: relayAt(host.url),
      customer: privateKeyToAccount(customerKey),
      customerKey,
      shopper: privateKeyToAccount(generatePrivateKey()).address,
      staff,
      figures: {},
    };

    say.begin("The customer's wallet grants in-store recognition and loyalty to Maison Lumière, gasless through the relay");
    await stepGrants(j);
    say.begin("The customer walks in: the beacon's presence event reaches the relay and the staff screen shows them");
    await stepPresence(j);
    say.begin("A second shopper who never consented walks in: dropped, nothing about them kept");
    await stepNonConsenting(j);
    say.begin("The customer buys jeans and a scarf: points issued on chain; the scarf comes back: the reversal lands");
    await stepPurchaseAndReturn(j);
    say.begin("The customer redeems points at the partner hotel: its balance is credited on chain at once");
    await stepRedeemAtHotel(j);
    say.begin("The programme: tiers, a campaign, pending points and a return inside the window, a reward for consent, a donation to the charity");
    await stepProgramme(j);
    say.begin("The customer comes back, then revokes in-store recognition: the next presence is dropped at once");
    const revokeOperation = await stepRevocation(j);
    say.begin("An auditor verifies Maison Lumière's consent history from the chain alone and catches a tampered export");
    await stepAudit(j);
    say.begin("The customer's rights: a receipt verified, their data downloaded then erased; the brand's CRM is told by webhook");
    await stepRights(j, revokeOperation);
    const ok = await printSummary(j);

    if (opts.keep) {
      printKeep(j);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      console.log(`\nstopping; the relay's data and log stay in ${dir}`);
    }
    return ok;
  } finally {
    for (const step of cleanup) await step();
    await dbReady.then(
      (db) => db.close(),
      () => undefined,
    );
    if (!opts.keep) await fs.rm(dir, { recursive: true, force: true });
  }
}

function printKeep(j: Journey): void {
  const f = j.brands.fashion;
  j.say.title("Still running (--keep): Ctrl-C to stop");
  j.say.fact("JSON-RPC", j.chain.url);
  j.say.fact("relay", j.host.url);
  j.say.fact("web app", `${j.host.url}/ (the customer's wallet; /staff, /brand, /audit)`);
  j.say.fact("wallet network", `chain ${j.coalition.deployment.chainId}, RPC ${j.chain.url} (the app offers to add it to the wallet)`);
  j.say.fact("staff screen", `${j.host.url}/staff (sign in with API key ${f.key} below, store ${f.store.id})`);
  const partner = Object.values(j.brands).find((b) => b.key !== f.key) ?? f;
  j.say.fact("till QR link", `${j.host.url}/?redeem=${partner.address}&order=DEMO-ORDER-1&points=10 (opens the wallet with a redemption at ${partner.name} filled in)`);
  j.say.fact("OpenAPI", `${j.host.url}/openapi.json`);
  j.say.fact("health / metrics", `${j.host.url}/healthz  ${j.host.url}/metrics`);
  j.say.fact("admin token", j.host.adminToken);
  for (const b of Object.values(j.brands)) j.say.fact(`API key ${b.key}`, b.relay.apiKey);
  j.say.fact("staff stream", `curl -N -H 'Authorization: Bearer ${f.relay.apiKey}' ${j.host.url}/v1/brand/stores/${f.store.id}/stream`);
  j.say.fact("customer", `${j.host.url}/v1/customers/${j.customer.address}/points`);
  j.say.fact("customer key", `${j.customerKey} (a throwaway test key: import it into a wallet to carry on; it needs no ETH)`);
  j.say.fact("customer example", `RELAY_URL=${j.host.url} CUSTOMER_KEY=${j.customerKey} npm run example:customer`);
  j.say.fact("auditor", `npm run audit -- --rpc ${j.chain.url} --ledger ${j.coalition.deployment.ledger} --controller ${f.address}`);
  j.say.fact("deployment", `${j.dir}/deployment.json (RPC_URL=${j.chain.url} DEPLOYMENT_FILE=... for npm run relay)`);
  j.say.fact("data", j.dir);
}
