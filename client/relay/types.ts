import type { Address, Hex, TypedDataDomain } from "viem";
import type { CategoryName } from "../categories";
import type { PurposeText } from "../labels";

/** What `GET /v1/config` tells: the chain, the contracts, the signing domains, the points' backing. */
export type RelayConfig = {
  chainId: number;
  /** The JSON-RPC endpoint the relay publishes for apps' reads and for wallets adding the chain; null when it publishes none. */
  rpcUrl: string | null;
  /** ConsentLedger. */
  ledger: Address;
  /** CoalitionPoints. */
  points: Address;
  /** The block of the contracts' deployment (where an indexer or an auditor starts). */
  deployBlock: number;
  /** Units of the settlement asset backing one point. */
  unitValue: bigint;
  /** The ERC-20 that backs the points; symbol and decimals as the token reports them (null if it does not). */
  settlementAsset: { address: Address; symbol: string | null; decimals: number | null };
  /** The EIP-712 domains: ConsentLedger's, CoalitionPoints', and the relay's own (card links, erasure). */
  domains: { ledger: TypedDataDomain; points: TypedDataDomain; relay: TypedDataDomain };
};

/** A purpose a brand asks consent for, as discovery describes it. */
export type BrandPurpose = {
  /** bytes32 id (lower-case hex). */
  id: Hex;
  /** Its short name ("loyalty"), null when the brand defined it on chain without telling the relay. */
  name: string | null;
  /** The data categories it covers (0 when the brand did not say). */
  categories: bigint;
  categoryNames: CategoryName[];
  /** Title and description by language ("en", "fr", ...): the brand's, or Confiance's for a known name. */
  texts: Partial<Record<string, PurposeText>>;
  /** The current notice on chain (`purposeOf`), with its version (1 for the first); null when not yet defined on chain. */
  notice: { hash: Hex; uri: string; version: number } | null;
  /** Points the brand pays once, ever, for granting this purpose (when the grant is on chain); null: no reward. */
  reward: bigint | null;
  /** The longest a consent to it may last, in seconds, as the brand set it (a grant beyond is refused, `validity_too_long`; one with no expiry, `expiry_required`); null: no limit. An app offers renewal before `expiresAt` with it. */
  maxValiditySeconds: number | null;
};

/** A brand this relay serves. */
export type DiscoveredBrand = {
  /** Its address: controller on ConsentLedger, brand on CoalitionPoints. */
  address: Address;
  /** Display name. */
  name: string;
  /** Points earned per currency unit spent (a decimal string, e.g. "1.5"). */
  earningRule: { pointsPerUnit: string };
  /** Whether a customer can redeem points there now. */
  acceptsRedemptions: boolean;
  purposes: BrandPurpose[];
};

export type OperationStatus = "queued" | "submitted" | "confirmed" | "failed";

/** A chain action the relay accepted, as `GET /v1/operations/{id}` shows it. */
export type Operation = {
  id: string;
  /** grant, revoke, revokeAll, setDelegate, redeem, issue, reverse. */
  kind: string;
  status: OperationStatus;
  /** The transaction, once submitted. */
  txHash?: Hex;
  /** Where it was mined, once confirmed. */
  blockNumber?: number;
  /** Why it failed: the contract's custom error name or the relay's code, and a message. */
  error?: { code: string; message: string };
  createdAt: string;
  updatedAt: string;
};

/** The relay's answer to a signed action: 202 and the operation to follow. */
export type AcceptedOperation = {
  operationId: string;
  kind: string;
  status: OperationStatus;
  /** The same signature was posted before: this is its first operation. */
  duplicate: boolean;
};

/** One consent of a customer, as indexed from the chain with the relay's pending actions applied. */
export type Consent = {
  controller: Address;
  purpose: Hex;
  purposeName: string | null;
  categories: bigint;
  categoryNames: CategoryName[];
  grantedAt: number;
  /** 0: no expiry. */
  expiresAt: number;
  /** 0: not revoked. */
  revokedAt: number;
  noticeHash: Hex;
  /** The purpose's current notice on chain; null when not indexed. */
  currentNoticeHash: Hex | null;
  /** Active, on an older notice than the current one: the app may prompt the customer to renew (grant again on the current notice). */
  noticeOutdated: boolean;
  /** In force as the relay applies it now. */
  active: boolean;
  /** A revocation is accepted and not yet indexed: already in force at the relay. */
  pendingRevocation: boolean;
};

export type PendingAction = {
  operationId: string;
  kind: string;
  status: OperationStatus;
  controller: Address | null;
  purpose: Hex | null;
  purposeName: string | null;
};

export type CustomerConsents = { subject: Address; consents: Consent[]; pending: PendingAction[] };

/** Why the relay issued points: a purchase at the base rate, a campaign's extra, a welcome bonus, a reward for consent. */
export type IssuanceReason = "purchase" | "campaign" | "welcome" | "consent-reward";

export type PointsMovement = {
  /** issued, reversed, redeemed, expired, transfer. */
  kind: string;
  brand: Address | null;
  points: bigint;
  /** Receipt id or order reference. */
  ref: Hex | null;
  /** Unix seconds: of the block, or when a pending entry was earned. */
  timestamp: number;
  /** Null for a pending entry. */
  blockNumber: number | null;
  /** Null for a pending entry. */
  txHash: Hex | null;
  /** Earned and not on chain yet (the brand's return window is open, or the issue is queued). */
  pending: boolean;
  /** A pending entry's end of window (ISO 8601); null otherwise. */
  dueAt: string | null;
  /** Why the relay issued these points (also on their reversal); null for other movements. */
  reason: IssuanceReason | null;
  /** The campaign's name for reason "campaign". */
  campaign: string | null;
};

export type CustomerPoints = {
  customer: Address;
  balance: bigint;
  lifetimeEarned: bigint;
  /** Unix seconds of the last earning or redemption (0: none). */
  lastActivity: number;
  /** The coalition tier (CoalitionPoints' tierOf): how many thresholds lifetime earned reaches; 0: none. */
  tier: number;
  /** The coalition's tier thresholds, in lifetime earned points. */
  tiers: bigint[];
  /** Unix seconds from which the balance may be expired; null: no expiry in force or nothing held. */
  expiresAt: number | null;
  /** Points earned and not on chain yet (in a return window, or queued). */
  pending: bigint;
  /** Pending entries first, then the chain's movements, latest first (at most 200 of those). */
  history: PointsMovement[];
};

/** One entry of a customer's history across brands: a consent action or a points movement, in chain order. */
export type HistoryEntry = {
  type: "consent" | "points";
  /** consent: grant, revoke, revoke-all; points: issued, reversed, redeemed, expired, transfer-in, transfer-out. */
  action: string;
  /** The brand (or the other customer of a transfer). */
  counterparty: Address | null;
  purpose: Hex | null;
  purposeName: string | null;
  categories: bigint | null;
  categoryNames: CategoryName[] | null;
  expiresAt: number | null;
  noticeHash: Hex | null;
  /** Who signed: the customer or a delegate. */
  actor: Address | null;
  amount: bigint | null;
  ref: Hex | null;
  timestamp: number;
  blockNumber: number;
  logIndex: number;
  txHash: Hex;
  /** A consent action's position in the brand's history chain (absent for points movements). */
  seq?: number | null | undefined;
  /** The brand's history head after this consent action, as the chain emitted it. */
  head?: Hex | null | undefined;
};

/** A device event's answer (202). */
export type DeviceEventAnswer = {
  accepted: true;
  eventId: string;
  kind: string;
  /** Set when nothing was done: the customer did not grant the purpose, or the card is linked to no wallet. */
  dropped?: "no_consent" | "unknown_card";
  receiptId?: Hex;
  points?: string;
  operationId?: string;
  /** Purchase in a return window: when its pending points go on chain (ISO 8601). */
  pendingUntil?: string;
  /** Return: of `points`, those cancelled while pending, without a transaction. */
  cancelled?: string;
  /** Purchase: each issuance with its reason. */
  issuances?: { reason: IssuanceReason; campaign: string | null; points: string; receiptId: Hex }[];
};

export type CustomerRef = { wallet: Address } | { cardToken: string };

export type DeviceEvent =
  | { eventId: string; kind: "presence"; customer: CustomerRef }
  | { eventId: string; kind: "purchase"; customer: CustomerRef; receipt: string; amount: string; items?: BasketItem[] }
  | { eventId: string; kind: "return"; customer: CustomerRef; receipt: string; amount: string }
  | { eventId: string; kind: "scan"; customer: CustomerRef; productCode: string };

/** One product a customer's home scanner read at a brand (under the shopping-list purpose). */
export type ShoppingListItem = {
  productCode: string;
  /** The store whose scanner read it. */
  storeId: string;
  /** ISO time of the scan. */
  scannedAt: string;
};

/** What a staff stream sends when a recognised customer walks into the store. */
export type RecognisedCustomer = {
  storeId: string;
  brand: Address;
  customer: Address;
  /** ISO time the device saw them. */
  seenAt: string;
  /** Their previous visit to any store of the brand; null on a first visit. */
  lastVisit: string | null;
  /** Points balance as last indexed (decimal string). */
  points: string;
  /** Visits to the brand's stores so far, this one included (absent from relays before it was added). */
  visitCount?: number | undefined;
  /** The name the customer shares with the brand for in-store greeting, or null. */
  displayName?: string | null | undefined;
  /** The customer's tier (`tierOf`), null when the coalition defines no tiers. */
  tier?: number | null | undefined;
};

/** A line of a basket: a product code and its amount (decimal string), for campaigns on product codes. */
export type BasketItem = { productCode: string; amount: string };

/** What a basket would earn now at a brand (`POST /v1/brands/{address}/quote`). */
export type Quote = {
  points: bigint;
  /** Each issuance it would make, with its reason. */
  issuances: { reason: IssuanceReason; campaign: string | null; points: bigint }[];
  /** How long the points would stay pending (the brand's return window). */
  returnWindowSeconds: number;
};
