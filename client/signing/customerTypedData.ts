import type { Address, TypedDataDefinition, TypedDataDomain } from "viem";
import { ledgerDomain, ledgerTypes, pointsDomain, pointsTypes, relayDomain, relayTypes } from "../typedData";

/** The messages a customer (or a delegate) signs: ConsentLedger's, CoalitionPoints' and the relay's own. */
export type LedgerPrimaryType = keyof typeof ledgerTypes;
export type PointsPrimaryType = keyof typeof pointsTypes;
export type RelayPrimaryType = keyof typeof relayTypes;
export type CustomerPrimaryType = LedgerPrimaryType | PointsPrimaryType | RelayPrimaryType;

/** The fields of a message, typed from its EIP-712 definition (uint256 as bigint, uint40 as number). */
export type CustomerMessage<P extends CustomerPrimaryType> = P extends LedgerPrimaryType
  ? TypedDataDefinition<typeof ledgerTypes, P>["message"]
  : P extends PointsPrimaryType
    ? TypedDataDefinition<typeof pointsTypes, P>["message"]
    : P extends RelayPrimaryType
      ? TypedDataDefinition<typeof relayTypes, P>["message"]
      : never;

/** Where the messages are verified: the chain and the two contracts (`getConfig` returns them; so does a deployment file). */
export type ConfianceContracts = {
  chainId: number;
  /** ConsentLedger. */
  ledger: Address;
  /** CoalitionPoints. */
  points: Address;
};

export type CustomerTypedData<P extends CustomerPrimaryType> = {
  domain: TypedDataDomain;
  types: P extends LedgerPrimaryType ? typeof ledgerTypes : P extends PointsPrimaryType ? typeof pointsTypes : typeof relayTypes;
  primaryType: P;
  message: CustomerMessage<P>;
};

export type CustomerTypedDataParameters<P extends CustomerPrimaryType> = {
  /** Chain id and contract addresses. */
  contracts: ConfianceContracts;
  /** Which message: "Grant", "Revoke", "RevokeAll", "SetDelegate", "Redeem", "LinkCard", "UnlinkCard", "EraseData". */
  primaryType: P;
  /** Its fields. */
  message: CustomerMessage<P>;
};

const LEDGER = new Set<string>(Object.keys(ledgerTypes));
const POINTS = new Set<string>(Object.keys(pointsTypes));

/**
 * The complete EIP-712 typed data of a customer message, with the domain it is verified under:
 * ConsentLedger's for Grant, Revoke, RevokeAll and SetDelegate; CoalitionPoints' for Redeem; the relay's
 * (chain id and the deployment's salt) for its own messages. What the wallet signs, and what the relay verifies.
 *
 * @example
 * const typed = customerTypedData({ contracts: config, primaryType: "Revoke",
 *   message: { subject, controller, purpose: PURPOSES.loyalty, nonce: 3n, deadline } })
 */
export function customerTypedData<P extends CustomerPrimaryType>({ contracts, primaryType, message }: CustomerTypedDataParameters<P>): CustomerTypedData<P> {
  const { chainId, ledger, points } = contracts;
  const [domain, types] = LEDGER.has(primaryType)
    ? [ledgerDomain(chainId, ledger), ledgerTypes]
    : POINTS.has(primaryType)
      ? [pointsDomain(chainId, points), pointsTypes]
      : [relayDomain(chainId, { ledger, points }), relayTypes];
  return { domain, types, primaryType, message } as CustomerTypedData<P>;
}
