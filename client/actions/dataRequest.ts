import { zeroAddress, type Address, type Hex } from "viem";
import { getNonces } from "./getNonces";
import { cachedConfig } from "../relay/cachedConfig";
import type { RelayClientBase } from "../relay/createRelayClient";
import { relayRequest, type RelayRequestErrorType } from "../relay/relayRequest";
import { getSignerAddress, type CustomerSigner } from "../signing/signer";
import { signCustomerMessage, type SignCustomerMessageErrorType } from "../signing/signCustomerMessage";

export type DataRequestKind = "access" | "erase";

export type DataRequestParameters = {
  /** The customer's wallet (only the wallet itself may ask: no delegate). */
  signer: CustomerSigner;
  /** "access": everything the relay holds about the wallet, as JSON; "erase": delete what the law does not require the brand to keep. */
  kind: DataRequestKind;
  /** One brand; every brand of the relay when omitted. */
  brand?: Address | undefined;
  /** Any uint256 used once per wallet; a random 64-bit one when omitted. */
  nonce?: bigint | undefined;
  /** Unix seconds; the relay's "now" when omitted (the relay accepts 10 minutes either way). */
  timestamp?: bigint | undefined;
  signal?: AbortSignal | undefined;
};

/** The relay's record of the request (logged with counts, never the data). */
export type DataRequestRecord = { id: string; kind: DataRequestKind; scope: Address | "all"; receivedAt: string };

/** One table's rows about the wallet, what they are, and what an erasure does with them. */
export type HeldRows = { description: string; disposition: "erase" | "keep"; reason: string; rows: Record<string, unknown>[] };

export type ErasureReport = {
  /** Rows deleted, by table. */
  erased: Record<string, number>;
  /** What stays, by table, and why. */
  kept: { table: string; description: string; rows: number; reason: string }[];
  /** What the chain keeps: it cannot be erased. */
  onChain: string;
};

export type DataRequestReturnType = (
  | { kind: "access"; request: DataRequestRecord; data: Record<string, HeldRows>; onChain: string }
  | { kind: "erase"; request: DataRequestRecord; report: ErasureReport }
) & { signature: Hex };
export type DataRequestErrorType = RelayRequestErrorType | SignCustomerMessageErrorType;

/**
 * A customer's data request, signed by the wallet (EIP-712 `DataRequest`, the relay's domain, no gas):
 * access returns everything the relay holds about the wallet (for one brand or all), erasure deletes what
 * may be erased and reports what stays and why. Records on chain cannot be erased; the answer says so.
 *
 * @example
 * const { data } = await dataRequest(relay, { signer: account, kind: "access" })
 * const { report } = await dataRequest(relay, { signer: account, kind: "erase", brand })
 */
export async function dataRequest(client: RelayClientBase, { signer, kind, brand, nonce, timestamp, signal }: DataRequestParameters): Promise<DataRequestReturnType> {
  const contracts = await cachedConfig(client, signal);
  const subject = await getSignerAddress(signer);
  const message = {
    subject,
    kind,
    brand: brand ?? zeroAddress,
    timestamp: timestamp ?? (await getNonces(client, { address: subject, signal })).now,
    nonce: nonce ?? randomNonce(),
  };
  const signature = await signCustomerMessage({ signer, contracts, primaryType: "DataRequest", message });
  const answer = await relayRequest<Omit<DataRequestReturnType, "signature">>(client, { method: "POST", path: "/v1/customers/data-requests", body: { ...message, signature }, signal });
  return { ...answer, signature } as DataRequestReturnType;
}

function randomNonce(): bigint {
  const words = crypto.getRandomValues(new Uint32Array(2));
  return (BigInt(words[0]!) << 32n) | BigInt(words[1]!);
}
