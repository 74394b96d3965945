/**
 * Every table of the relay's database that holds rows about a wallet, how to find them, and what a
 * customer's erasure does with them. Access returns the rows of every entry; erasure deletes those of the
 * `erase` entries and reports the others with the reason they stay. A test checks that every table with a
 * wallet column (subject, customer, counterparty, delegate, wallet) is listed here: a new table about
 * customers must say what becomes of its rows.
 */
export type Disposition = "erase" | "keep";

export interface Holding {
  table: string;
  /** What the rows are, in words. */
  description: string;
  /** The columns that may hold the wallet (lower-case 0x hex): a row is the wallet's when any of them is. */
  walletColumns: readonly string[];
  /** The column naming the brand, when rows belong to one brand (a brand-scoped request sees only those). */
  brandColumn: string | null;
  /** Row order in an access answer. */
  orderBy: string;
  disposition: Disposition;
  /** Why the rows stay (keep), or what erasing them means (erase). */
  reason: string;
  /** Extra condition on the rows erased (erase entries): rows outside it stay, for the reason `keptReason`. */
  eraseWhere?: string;
  keptReason?: string;
}

const CHAIN_INDEX = "a copy of public chain records (ConsentLedger, CoalitionPoints) that the relay rebuilds from the chain's logs: records on chain cannot be erased, and the copy is what keeps consent gating and points right";

export const HOLDINGS: readonly Holding[] = [
  {
    table: "relay_visits",
    description: "store visits recognised with your in-store recognition consent (brand, store, time)",
    walletColumns: ["subject"],
    brandColumn: "brand",
    orderBy: "seen_at, id",
    disposition: "erase",
    reason: "no law requires the brand to keep them",
  },
  {
    table: "relay_visit_counts",
    description: "how many of those visits the relay holds per brand, and the latest (shown to the shop's staff when you are recognised)",
    walletColumns: ["subject"],
    brandColumn: "brand",
    orderBy: "brand",
    disposition: "erase",
    reason: "a summary of your visits, erased with them",
  },
  {
    table: "relay_scans",
    description: "your shopping list: products scanned at home with your shopping-list consent",
    walletColumns: ["subject"],
    brandColumn: "brand",
    orderBy: "scanned_at, id",
    disposition: "erase",
    reason: "no law requires the brand to keep them",
  },
  {
    table: "relay_card_links",
    description: "loyalty cards linked to your wallet (a keyed hash of the card token, never the token)",
    walletColumns: ["subject"],
    brandColumn: "brand",
    orderBy: "brand, linked_at",
    disposition: "erase",
    reason: "no law requires the brand to keep them; the card is no longer recognised as yours",
  },
  {
    table: "relay_display_names",
    description: "the name you chose to share with the brand for in-store greeting (kept only while you grant it in-store recognition)",
    walletColumns: ["subject"],
    brandColumn: "brand",
    orderBy: "brand",
    disposition: "erase",
    reason: "no law requires the brand to keep it",
  },
  {
    table: "webhook_events",
    description: "notices the relay sent or is sending to the brand's systems about your wallet (consent changes, points, data requests)",
    walletColumns: ["subject"],
    brandColumn: "brand",
    orderBy: "seq",
    disposition: "erase",
    reason: "delivered notices are erased with their delivery log",
    eraseWhere: `NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_seq = t.seq AND d.status = 'pending')
      AND (t.operation_id IS NULL OR t.matched_seq IS NOT NULL)`,
    keptReason: "not yet delivered to the brand's systems (among them the notice of this request and any revocation): erased with a later request once delivered",
  },
  {
    table: "relay_purchases",
    description: "purchases that earned points (a salted hash of the till receipt, amount, points, what was reversed)",
    walletColumns: ["subject"],
    brandColumn: "brand",
    orderBy: "created_at, receipt_id",
    disposition: "keep",
    reason: "accounting records the brand must keep (commercial and tax law), backing points issued on chain; returns need them",
  },
  {
    table: "operations",
    description: "the chain actions the relay accepted from your wallet (grants, revocations, delegates, redemptions) and issuances and reversals of your points",
    walletColumns: ["subject"],
    brandColumn: "controller",
    orderBy: "seq",
    disposition: "keep",
    reason: "the signed actions behind public chain records: the brand must be able to show consent was given (GDPR Art. 7(1)), and queued actions must still reach the chain",
  },
  {
    table: "relay_customer_actions",
    description: "which signature nonce each of your accepted actions uses",
    walletColumns: ["subject"],
    brandColumn: null,
    orderBy: "created_at, operation_id",
    disposition: "keep",
    reason: "stops a signed action from being used twice; holds only your address and nonces, as the chain does",
  },
  {
    table: "consent_history",
    description: "your consent actions as the chain recorded them",
    walletColumns: ["subject"],
    brandColumn: "controller",
    orderBy: "controller, seq",
    disposition: "keep",
    reason: CHAIN_INDEX,
  },
  {
    table: "consents",
    description: "your consents now, as the chain holds them",
    walletColumns: ["subject"],
    brandColumn: "controller",
    orderBy: "controller, purpose",
    disposition: "keep",
    reason: CHAIN_INDEX,
  },
  {
    table: "webhook_expiry_watch",
    description: "consents of yours with an end date, watched to tell the brand the moment they expire",
    walletColumns: ["subject"],
    brandColumn: "controller",
    orderBy: "controller, grant_seq",
    disposition: "keep",
    reason: `${CHAIN_INDEX}; the brand must learn when your consent ends`,
  },
  {
    table: "delegate_events",
    description: "delegates you named, or who named you, as the chain recorded them",
    walletColumns: ["subject", "delegate"],
    brandColumn: null,
    orderBy: "block_number, log_index",
    disposition: "keep",
    reason: CHAIN_INDEX,
  },
  {
    table: "delegates",
    description: "your delegates now",
    walletColumns: ["subject", "delegate"],
    brandColumn: null,
    orderBy: "subject, delegate",
    disposition: "keep",
    reason: CHAIN_INDEX,
  },
  {
    table: "points_events",
    description: "your points earned, reversed, redeemed, expired and transferred, as the chain recorded them",
    walletColumns: ["customer", "counterparty"],
    brandColumn: "brand",
    orderBy: "block_number, log_index",
    disposition: "keep",
    reason: CHAIN_INDEX,
  },
  {
    table: "points_balances",
    description: "your points balance, lifetime earned and last activity",
    walletColumns: ["customer"],
    brandColumn: null,
    orderBy: "customer",
    disposition: "keep",
    reason: CHAIN_INDEX,
  },
  {
    table: "relay_customer_erasures",
    description: "when you last unlinked a card of a brand or erased your data there (a time, nothing else)",
    walletColumns: ["subject"],
    brandColumn: "brand",
    orderBy: "brand",
    disposition: "keep",
    reason: "it is what refuses a card link signed before your erasure from being replayed after it: erasing it would undo that protection",
  },
  {
    table: "relay_issuances",
    description: "the points each of your purchases, campaigns, welcome bonuses and consent rewards earned: pending ones (the brand's return window) and issued ones",
    walletColumns: ["subject"],
    brandColumn: "brand",
    orderBy: "created_at, receipt_id",
    disposition: "keep",
    reason: "points owed to you or issued on chain: pending points still have to be issued, and issued ones back the brand's accounts and a later reversal",
  },
  {
    table: "data_requests",
    description: "your access and erasure requests and their outcome (counts, never the data)",
    walletColumns: ["subject"],
    brandColumn: "brand",
    orderBy: "received_at, id",
    disposition: "keep",
    reason: "the proof that each request was made and answered (GDPR Art. 5(2), 12); its nonce stops a replay",
  },
];

/** Column names that hold a wallet: a table with one of them must be in HOLDINGS. */
export const WALLET_COLUMN_NAMES = ["subject", "customer", "counterparty", "delegate", "wallet"] as const;

/** Tables with a wallet-named column that hold no customer's wallet there (a brand's own records). */
export const NOT_ABOUT_CUSTOMERS: readonly string[] = [];

/** What stays on chain whatever the relay erases: said in every erasure report. */
export const ON_CHAIN_NOTE =
  "Records on the chain cannot be erased by anyone: your consent actions (ConsentLedger) and points movements (CoalitionPoints) stay there, under your wallet address. They hold no name, contact or card number, only addresses, hashes and amounts.";
