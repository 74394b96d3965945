-- Indexer (issue 5): what the chain logs of ConsentLedger and CoalitionPoints say, rebuilt from them alone.
-- Addresses and hashes are lower-case 0x hex text; times are unix seconds; uint64 as decimal text;
-- amounts (uint256) as numeric(78,0). Every event row carries where it came from (block, hash, log index,
-- transaction) so a reorganisation can delete exactly what was stored after the common ancestor; the
-- other tables are derived from the event rows and recomputed for the keys a range or a rewind touched.

-- The last block indexed (a single row) and the hashes of recent indexed blocks (reorg detection).
CREATE TABLE IF NOT EXISTS indexer_cursor (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  block_number bigint NOT NULL,
  block_hash text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS indexer_blocks (
  block_number bigint PRIMARY KEY,
  block_hash text NOT NULL,
  parent_hash text NOT NULL,
  timestamp bigint NOT NULL
);

-- Every consent action of every controller, in chain order (seq is 1-based per controller; head is the
-- controller's history head after the action). action: 1 grant, 2 revoke, 3 revoke-all. Fields that do
-- not apply to an action are zero (purpose, notice_hash: 0x00..00; categories '0'; expires_at 0).
CREATE TABLE IF NOT EXISTS consent_history (
  controller text NOT NULL,
  seq bigint NOT NULL,
  action smallint NOT NULL CHECK (action IN (1, 2, 3)),
  subject text NOT NULL,
  purpose text NOT NULL,
  categories text NOT NULL,
  expires_at bigint NOT NULL,
  notice_hash text NOT NULL,
  actor text NOT NULL,
  timestamp bigint NOT NULL,
  head text NOT NULL,
  block_number bigint NOT NULL,
  block_hash text NOT NULL,
  log_index integer NOT NULL,
  tx_hash text NOT NULL,
  PRIMARY KEY (controller, seq)
);
CREATE INDEX IF NOT EXISTS consent_history_subject ON consent_history (subject, controller, seq);
CREATE INDEX IF NOT EXISTS consent_history_block ON consent_history (block_number);

-- Current state of each consent, as consentOf() returns it. Active now when
-- revoked_at = 0 AND (expires_at = 0 OR expires_at > now). granted_seq / revoked_seq point into
-- consent_history (revoked_seq 0 when not revoked).
CREATE TABLE IF NOT EXISTS consents (
  subject text NOT NULL,
  controller text NOT NULL,
  purpose text NOT NULL,
  categories text NOT NULL,
  granted_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  revoked_at bigint NOT NULL,
  notice_hash text NOT NULL,
  actor text NOT NULL,
  granted_seq bigint NOT NULL,
  revoked_seq bigint NOT NULL,
  block_number bigint NOT NULL,
  PRIMARY KEY (subject, controller, purpose)
);
CREATE INDEX IF NOT EXISTS consents_controller ON consents (controller, purpose);

-- Delegates: every DelegateSet, and the current value per (subject, delegate) as delegateUntil() returns it.
CREATE TABLE IF NOT EXISTS delegate_events (
  block_number bigint NOT NULL,
  log_index integer NOT NULL,
  block_hash text NOT NULL,
  tx_hash text NOT NULL,
  timestamp bigint NOT NULL,
  subject text NOT NULL,
  delegate text NOT NULL,
  until bigint NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX IF NOT EXISTS delegate_events_key ON delegate_events (subject, delegate);
CREATE TABLE IF NOT EXISTS delegates (
  subject text NOT NULL,
  delegate text NOT NULL,
  until bigint NOT NULL,
  block_number bigint NOT NULL,
  PRIMARY KEY (subject, delegate)
);

-- Purposes: every published notice version, and the current notice per (controller, purpose).
CREATE TABLE IF NOT EXISTS purpose_notices (
  block_number bigint NOT NULL,
  log_index integer NOT NULL,
  block_hash text NOT NULL,
  tx_hash text NOT NULL,
  timestamp bigint NOT NULL,
  controller text NOT NULL,
  purpose text NOT NULL,
  notice_hash text NOT NULL,
  notice_uri text NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX IF NOT EXISTS purpose_notices_key ON purpose_notices (controller, purpose);
CREATE TABLE IF NOT EXISTS purposes (
  controller text NOT NULL,
  purpose text NOT NULL,
  notice_hash text NOT NULL,
  notice_uri text NOT NULL,
  version integer NOT NULL,
  defined_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (controller, purpose)
);

-- CoalitionPoints: every event that moves points or brand money, or changes a brand or an operator.
-- kind / brand / customer / counterparty / amount / ref:
--   issued    brand, customer, -, points, receiptId      reversed  brand, customer, -, points, receiptId
--   redeemed  brand, customer, -, points, orderRef       expired   -, customer, -, points, -
--   deposited brand, -, -, amount, -                     withdrawn brand, -, to, amount, -
--   transfer  -, from, to, points, -  (customer-to-customer only; mints and burns are the kinds above)
--   brand_admitted / brand_suspended  brand             operator_set  brand, -, operator, 1|0, -
CREATE TABLE IF NOT EXISTS points_events (
  block_number bigint NOT NULL,
  log_index integer NOT NULL,
  block_hash text NOT NULL,
  tx_hash text NOT NULL,
  timestamp bigint NOT NULL,
  kind text NOT NULL CHECK (kind IN ('issued', 'reversed', 'redeemed', 'expired', 'deposited', 'withdrawn',
    'transfer', 'brand_admitted', 'brand_suspended', 'operator_set')),
  brand text,
  customer text,
  counterparty text,
  amount numeric(78, 0) NOT NULL DEFAULT 0,
  ref text,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX IF NOT EXISTS points_events_customer ON points_events (customer, kind);
CREATE INDEX IF NOT EXISTS points_events_brand ON points_events (brand, kind);
CREATE INDEX IF NOT EXISTS points_events_counterparty ON points_events (counterparty) WHERE kind = 'transfer';

-- A customer's points as balanceOf() / lifetimeEarned() / lastActivity() return them.
CREATE TABLE IF NOT EXISTS points_balances (
  customer text PRIMARY KEY,
  balance numeric(78, 0) NOT NULL,
  lifetime_earned numeric(78, 0) NOT NULL,
  last_activity bigint NOT NULL
);

-- A brand's settlement-asset account as brandBalance() returns it, with the totals behind it.
CREATE TABLE IF NOT EXISTS brand_balances (
  brand text PRIMARY KEY,
  balance numeric(78, 0) NOT NULL,
  deposited numeric(78, 0) NOT NULL,
  withdrawn numeric(78, 0) NOT NULL,
  points_issued numeric(78, 0) NOT NULL,
  points_reversed numeric(78, 0) NOT NULL,
  points_redeemed numeric(78, 0) NOT NULL
);

-- Brand status ('admitted' | 'suspended') and operators, from the latest event of each.
CREATE TABLE IF NOT EXISTS points_brands (
  brand text PRIMARY KEY,
  status text NOT NULL,
  updated_at bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS points_operators (
  brand text NOT NULL,
  operator text NOT NULL,
  allowed boolean NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (brand, operator)
);
