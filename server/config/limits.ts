import { z } from "zod";

/**
 * Limits on what customers' signed actions may cost the relay (docs/relay.md, Limits): the ERC-1271
 * checks' gas and time, quotas of accepted actions, the signers' daily spend, purchases, and how much of
 * the submitter one subject's failing operations can take.
 */
const int = (min: number) => z.coerce.number().int().min(min);
const wei = z
  .string()
  .regex(/^[0-9]{1,40}$/, "a whole number of wei")
  .transform((v) => BigInt(v));

export const limitsEnvShape = {
  /** Gas given to one `isValidSignature` call of a contract wallet (the relay's eth_call). */
  ERC1271_GAS_LIMIT: int(10_000).max(30_000_000).default(200_000),
  /** Time after which an ERC-1271 check counts as a refusal. */
  ERC1271_TIMEOUT_MS: int(50).default(2_000),
  /** How long the relay keeps whether an address holds code. */
  CODE_CACHE_SECONDS: int(0).default(60),
  /** Signed actions accepted per customer wallet in CUSTOMER_QUOTA_WINDOW_SECONDS (0: no quota). */
  CUSTOMER_ACTIONS_PER_WALLET: int(0).default(30),
  /** Signed actions accepted per client address in CUSTOMER_QUOTA_WINDOW_SECONDS, per relay instance (0: no quota). */
  CUSTOMER_ACTIONS_PER_CLIENT: int(0).default(600),
  CUSTOMER_QUOTA_WINDOW_SECONDS: int(1).default(3_600),
  /** Fees (wei) a relay key may pay in 24 hours before customers' actions are refused (0: no ceiling). */
  SIGNER_DAILY_SPEND_LIMIT_WEI: wei.default(1_000_000_000_000_000_000n),
  /** The largest purchase amount (currency units) a device event may carry. */
  PURCHASE_MAX_AMOUNT: z.coerce.number().positive().default(100_000),
  /** Subjects with a revocation waiting that go ahead of the queue in one submission step. */
  PRIORITY_SUBJECTS_MAX: int(0).default(8),
  /** A subject whose actions failed this many times in 24 hours loses its priority. */
  SUBJECT_FAILURES_MAX: int(1).default(3),
};
