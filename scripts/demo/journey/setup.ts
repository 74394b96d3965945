import { getAddress, type Hex } from "viem";
import { consentLedgerAbi } from "../../../client/abis";
import { fetchNotice, uploadNotice } from "../../../client/notices";
import { purposeId } from "../../../client/purposes";
import type { Deployment } from "../../../server/chain/deployment";
import { brandBalance, setUpCoalition, usd, type BrandSpec, USD } from "../coalition";
import type { LocalChain } from "../../lib/localChain";
import type { Narrator } from "../print";
import type { RelayHost } from "../relayHost";
import { registerBrand, registerDevice, registerStore } from "../relayClient";
import type { TxLog } from "../txlog";
import type { DemoBrand } from "./context";

export const BRAND_SPECS = {
  fashion: {
    key: "maison-lumiere",
    name: "Maison Lumière (fashion)",
    accountIndex: 4,
    operatorIndex: 3,
    purposes: ["in-store-recognition", "loyalty"],
    pointsPerUnit: "10",
    store: { id: "lumiere-paris-marais", name: "Maison Lumière, Paris Marais" },
    deposit: 1_000n * USD,
  },
  hotel: {
    key: "hotel-azur",
    name: "Hôtel Azur (hotel)",
    accountIndex: 5,
    operatorIndex: 7,
    purposes: ["loyalty"],
    pointsPerUnit: "5",
    store: { id: "azur-nice", name: "Hôtel Azur, Nice" },
    deposit: 2_000n * USD,
  },
  cafe: {
    key: "cafe-lune",
    name: "Café Lune (café)",
    accountIndex: 6,
    operatorIndex: 8,
    purposes: ["in-store-recognition", "loyalty", "shopping-list"],
    pointsPerUnit: "20",
    store: { id: "lune-lyon", name: "Café Lune, Lyon" },
    deposit: 500n * USD,
  },
} as const satisfies Record<string, BrandSpec>;

/** The data categories each purpose covers, as every demo brand describes it to customers (discovery). */
export const PURPOSE_CATEGORIES: Record<string, readonly string[]> = {
  "in-store-recognition": ["identity", "location", "device-identifiers"],
  loyalty: ["identity", "purchase-history"],
  "shopping-list": ["preferences"],
};

/** The devices each store registers (Ed25519 keys generated on the device). */
const DEVICES: Record<keyof typeof BRAND_SPECS, { id: string; name: string }[]> = {
  fashion: [
    { id: "lumiere-beacon-entrance", name: "beacon gateway, entrance" },
    { id: "lumiere-till-1", name: "till 1" },
  ],
  hotel: [{ id: "azur-front-desk", name: "front desk card reader" }],
  cafe: [
    { id: "lune-beacon", name: "beacon gateway" },
    { id: "lune-till", name: "till" },
  ],
};

export const GOVERNANCE_INDEX = 0;

/** Prints the deployment transactions (found in the blocks since the ledger's deployment). */
export async function recordDeployment(chain: LocalChain, deployment: Deployment, log: TxLog): Promise<void> {
  const names = new Map<string, string>([
    [deployment.ledger.toLowerCase(), "deploy ConsentLedger"],
    [deployment.points.toLowerCase(), "deploy CoalitionPoints"],
    [deployment.settlement.toLowerCase(), "deploy settlement stablecoin (mock USD)"],
  ]);
  const latest = await chain.client.getBlockNumber();
  for (let n = BigInt(deployment.deployBlock); n <= latest && names.size > 0; n++) {
    const block = await chain.client.getBlock({ blockNumber: n });
    for (const hash of block.transactions as Hex[]) {
      const receipt = await chain.client.getTransactionReceipt({ hash });
      const label = receipt.contractAddress ? names.get(receipt.contractAddress.toLowerCase()) : undefined;
      if (label) {
        await log.record(label, hash, "governance");
        names.delete(receipt.contractAddress!.toLowerCase());
      }
    }
  }
}

/** Step 1, chain part: contracts, governance admits the brands, deposits, operators, purposes with notices. */
export async function setUpChain(p: { chain: LocalChain; log: TxLog; say: Narrator }) {
  const coalition = await setUpCoalition({ chain: p.chain, governanceIndex: GOVERNANCE_INDEX, brands: Object.values(BRAND_SPECS), log: p.log });
  const deployTxs = p.log.records.length;
  await recordDeployment(p.chain, coalition.deployment, p.log);
  const { deployment } = coalition;
  p.say.fact("ConsentLedger", deployment.ledger);
  p.say.fact("CoalitionPoints", `${deployment.points} (1 point = ${usd(BigInt(deployment.unitValue))} of backing)`);
  p.say.fact("settlement asset", `${deployment.settlement} (mock USD stablecoin, 6 decimals)`);
  p.log.records.unshift(...p.log.records.splice(deployTxs));
  for (const r of p.log.records) p.say.tx(r);
  for (const b of coalition.brands) {
    p.say.fact(b.name, `${b.address}, backing deposited ${usd(await brandBalance(p.chain, deployment, b.address))}, purposes: ${b.purposes.join(", ")}`);
  }
  return coalition;
}

/**
 * Step 1, relay part: the admin registers each brand; each brand registers its store and devices and stores its
 * notice documents, which the relay then serves by the hash on chain.
 */
export async function registerAtRelay(host: RelayHost, coalition: Awaited<ReturnType<typeof setUpChain>>, say: Narrator, chain: LocalChain) {
  const out: Partial<Record<keyof typeof BRAND_SPECS, DemoBrand>> = {};
  for (const key of Object.keys(BRAND_SPECS) as (keyof typeof BRAND_SPECS)[]) {
    const spec = BRAND_SPECS[key];
    const onChain = coalition.brands.find((b) => b.key === spec.key)!;
    const relay = await registerBrand(host.url, host.adminToken, {
      address: onChain.address,
      name: spec.name,
      pointsPerUnit: spec.pointsPerUnit,
      operator: onChain.operator,
      purposes: spec.purposes.map((name) => ({ name, categories: PURPOSE_CATEGORIES[name]! })),
    });
    await registerStore(host.url, relay.apiKey, spec.store);
    const devices: DemoBrand["devices"] = {};
    for (const d of DEVICES[key]) devices[d.id] = await registerDevice(host.url, relay.apiKey, spec.store.id, d);
    for (const purpose of spec.purposes) await uploadNotice({ relayUrl: host.url, apiKey: relay.apiKey, notice: onChain.notices[purpose]!.notice });
    out[key] = { ...onChain, relay, devices };
    say.fact(
      spec.name,
      `API key issued; store "${spec.store.id}" with ${DEVICES[key].map((d) => d.name).join(", ")}; earns ${spec.pointsPerUnit} points per currency unit; ${spec.purposes.length} notice document(s) stored at the relay`,
    );
  }
  let served = 0;
  for (const b of coalition.brands) {
    for (const purpose of b.purposes) {
      const [onChainHash] = await chain.client.readContract({ address: coalition.deployment.ledger, abi: consentLedgerAbi, functionName: "purposeOf", args: [b.address, purposeId(purpose)] });
      const { notice } = await fetchNotice({ relayUrl: host.url, noticeHash: onChainHash });
      if (notice.purpose.name === purpose && getAddress(notice.controller.address) === b.address) served++;
    }
  }
  const total = coalition.brands.reduce((n, b) => n + b.purposes.length, 0);
  say.check(`the relay serves the notice document behind each of the ${total} purposes' on-chain noticeHash, and it hashes to it`, served === total);
  return out as Record<keyof typeof BRAND_SPECS, DemoBrand>;
}
