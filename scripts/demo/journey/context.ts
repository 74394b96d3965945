import type { Address, Hex } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import type { RelayClient } from "../../../client";
import type { Coalition, OnChainBrand } from "../coalition";
import type { LocalChain } from "../../lib/localChain";
import type { Narrator } from "../print";
import type { RelayHost } from "../relayHost";
import type { Device, RegisteredBrand } from "../relayClient";
import type { StaffScreen } from "../staffStream";
import type { TxLog } from "../txlog";

/** A brand as the demo drives it: on chain, registered at the relay, with its store's devices. */
export interface DemoBrand extends OnChainBrand {
  relay: RegisteredBrand;
  devices: Record<string, Device>;
}

/** Everything the journey's steps share. */
export interface Journey {
  dir: string;
  chain: LocalChain;
  coalition: Coalition;
  host: RelayHost;
  log: TxLog;
  say: Narrator;
  brands: { fashion: DemoBrand; hotel: DemoBrand; cafe: DemoBrand };
  /** The relay as the customer's app and the devices reach it (the client module). */
  relay: RelayClient;
  /** The customer's wallet: a fresh key that never holds ETH. */
  customer: PrivateKeyAccount;
  customerKey: Hex;
  shopper: Address;
  staff: StaffScreen;
  /** Figures the summary reports, filled in by the steps. */
  figures: Record<string, string>;
}
