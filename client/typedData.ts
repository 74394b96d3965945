import { encodeAbiParameters, keccak256, type Address, type Hex } from "viem";

/**
 * The EIP-712 messages customers sign. Ledger and points messages are exactly those the contracts
 * verify; the relay's own messages (card links, erasure, data requests, display names, the shopping list)
 * use the relay's domain, which has no verifying contract: it is bound to the chain id and, by its salt, to
 * the deployment the relay serves (a message signed for one Confiance deployment is worthless at another on
 * the same chain), and every message carries a deadline or a timestamp.
 */
export function ledgerDomain(chainId: number, ledger: Address) {
  return { name: "Confiance ConsentLedger", version: "1", chainId, verifyingContract: ledger } as const;
}

export function pointsDomain(chainId: number, points: Address) {
  return { name: "Confiance CoalitionPoints", version: "1", chainId, verifyingContract: points } as const;
}

/** The relay domain's salt: keccak256(abi.encode(ledger, points)) of the deployment the relay serves. */
export function relayDomainSalt({ ledger, points }: { ledger: Address; points: Address }): Hex {
  return keccak256(encodeAbiParameters([{ type: "address" }, { type: "address" }], [ledger, points]));
}

export function relayDomain(chainId: number, contracts: { ledger: Address; points: Address }) {
  return { name: "Confiance Relay", version: "2", chainId, salt: relayDomainSalt(contracts) } as const;
}

export const ledgerTypes = {
  Grant: [
    { name: "subject", type: "address" },
    { name: "controller", type: "address" },
    { name: "purpose", type: "bytes32" },
    { name: "categories", type: "uint64" },
    { name: "expiresAt", type: "uint40" },
    { name: "noticeHash", type: "bytes32" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
  Revoke: [
    { name: "subject", type: "address" },
    { name: "controller", type: "address" },
    { name: "purpose", type: "bytes32" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
  RevokeAll: [
    { name: "subject", type: "address" },
    { name: "controller", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
  SetDelegate: [
    { name: "subject", type: "address" },
    { name: "delegate", type: "address" },
    { name: "until", type: "uint40" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

export const pointsTypes = {
  Redeem: [
    { name: "customer", type: "address" },
    { name: "brand", type: "address" },
    { name: "points", type: "uint256" },
    { name: "orderRef", type: "bytes32" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/**
 * The relay's messages. `card` is keccak256 of the card token's UTF-8 bytes (the wallet never needs to
 * show the token itself in the signing prompt).
 *   LinkCard(address subject,address brand,bytes32 card,uint256 deadline)
 *   UnlinkCard(address subject,address brand,bytes32 card,uint256 deadline)
 *   EraseData(address subject,address brand,uint256 deadline)
 *   ShareDisplayName(address subject,address brand,string displayName,uint256 deadline)   ("" removes it)
 *   ReadShoppingList(address subject,address brand,uint256 deadline)
 *   ClearShoppingList(address subject,address brand,uint256 deadline)
 *   DataRequest(address subject,string kind,address brand,uint256 timestamp,uint256 nonce)
 * DataRequest is the customer's access ("access") or erasure ("erase") request about what the relay holds
 * off chain; `brand` is one brand, or the zero address for every brand of the relay; `timestamp` (unix
 * seconds) must be within 10 minutes of the relay's "now", and `nonce` (any uint256) is accepted once per
 * subject (docs/consent.md, "Data requests").
 */
export const relayTypes = {
  LinkCard: [
    { name: "subject", type: "address" },
    { name: "brand", type: "address" },
    { name: "card", type: "bytes32" },
    { name: "deadline", type: "uint256" },
  ],
  UnlinkCard: [
    { name: "subject", type: "address" },
    { name: "brand", type: "address" },
    { name: "card", type: "bytes32" },
    { name: "deadline", type: "uint256" },
  ],
  EraseData: [
    { name: "subject", type: "address" },
    { name: "brand", type: "address" },
    { name: "deadline", type: "uint256" },
  ],
  ShareDisplayName: [
    { name: "subject", type: "address" },
    { name: "brand", type: "address" },
    { name: "displayName", type: "string" },
    { name: "deadline", type: "uint256" },
  ],
  ReadShoppingList: [
    { name: "subject", type: "address" },
    { name: "brand", type: "address" },
    { name: "deadline", type: "uint256" },
  ],
  ClearShoppingList: [
    { name: "subject", type: "address" },
    { name: "brand", type: "address" },
    { name: "deadline", type: "uint256" },
  ],
  DataRequest: [
    { name: "subject", type: "address" },
    { name: "kind", type: "string" },
    { name: "brand", type: "address" },
    { name: "timestamp", type: "uint256" },
    { name: "nonce", type: "uint256" },
  ],
} as const;
