import path from "node:path";
import type { Address, Hex } from "viem";
import { testPrivateKey } from "../lib/localChain";
import { RELAY_KEY_INDEX } from "../demo/journey/run";
import { registerBrand, registerDevice, registerStore, relayAt, type Device } from "../demo/relayClient";
import { waitFor } from "../demo/wait";
import { startRelayProcess, type BenchDb, type RelayProcess } from "./relayProcess";
import type { BenchWorld } from "./world";

/** A relay process with the bench brand registered: its API key, a beacon gateway and a till. */
export interface RelaySession {
  relay: RelayProcess;
  apiKey: string;
  beacon: Device;
  till: Device;
}

export async function openRelaySession(
  world: BenchWorld,
  dir: string,
  name: string,
  env: Record<string, string>,
  o: { db?: BenchDb; cpuProfile?: boolean; shareDatabaseUrl?: string; withoutOperatorKey?: boolean } = {},
): Promise<RelaySession> {
  const { brand, coalition, chain } = world;
  const relay = await startRelayProcess({
    rpcUrl: chain.url,
    deployment: coalition.deployment,
    dir: path.join(dir, name),
    signerKeys: benchSignerKeys(world, !o.withoutOperatorKey),
    env,
    db: o.db,
    shareDatabaseUrl: o.shareDatabaseUrl,
    cpuProfile: o.cpuProfile,
  });
  const reg = await registerBrand(relay.url, relay.adminToken, { address: brand.address, name: brand.name, pointsPerUnit: brand.pointsPerUnit, operator: brand.operator });
  await registerStore(relay.url, reg.apiKey, brand.store);
  const beacon = await registerDevice(relay.url, reg.apiKey, brand.store.id, { id: `${name}-beacon`, name: "beacon gateway" });
  const till = await registerDevice(relay.url, reg.apiKey, brand.store.id, { id: `${name}-till`, name: "till" });
  // The gate reads the index: wait until every customer's grants are indexed.
  const last = world.customers[world.customers.length - 1]!.address;
  await waitFor(async () => {
    const { consents } = await relayAt(relay.url).getConsents({ address: last });
    return consents.filter((c) => c.active).length >= 2;
  }, "the relay to index the customers' grants", 120_000, 100);
  return { relay, apiKey: reg.apiKey, beacon, till };
}

export function customerAddresses(world: BenchWorld): Address[] {
  return world.customers.map((c) => c.address);
}

/** The relay's default key, and the brand's operator key (which sends its issues) unless left out. */
export function benchSignerKeys(world: BenchWorld, withOperator = true): Hex[] {
  return [testPrivateKey(RELAY_KEY_INDEX), ...(withOperator ? [testPrivateKey(world.brand.operatorIndex)] : [])];
}
