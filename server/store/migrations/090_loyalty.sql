-- The loyalty programme's rules, kept by the relay (docs/points.md "The programme at the relay").
-- A brand's return window (seconds a purchase's points stay pending, 0: issued at once) and welcome
-- bonus (points on a customer's first purchase at the brand, 0: none).
ALTER TABLE relay_brands ADD COLUMN IF NOT EXISTS return_window_seconds integer NOT NULL DEFAULT 0 CHECK (return_window_seconds >= 0);
ALTER TABLE relay_brands ADD COLUMN IF NOT EXISTS welcome_bonus numeric(78, 0) NOT NULL DEFAULT 0 CHECK (welcome_bonus >= 0);

-- A purchase's points may now wait for the window: no operation until it closes.
ALTER TABLE relay_purchases ALTER COLUMN operation_id DROP NOT NULL;

-- Time-limited campaigns: a multiplier (base points of the matching amount times `multiplier`, the
-- extra over the base issued as the campaign's) or a fixed bonus per purchase; on every purchase or on
-- the purchases that contain one of `product_codes` (a JSON array of strings, NULL: every purchase).
CREATE TABLE IF NOT EXISTS relay_campaigns (
  brand text NOT NULL,
  name text NOT NULL,
  multiplier numeric(20, 6),
  bonus numeric(78, 0),
  product_codes jsonb,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (brand, name),
  CHECK ((multiplier IS NULL) <> (bonus IS NULL)),
  CHECK (ends_at > starts_at)
);

-- Points a brand pays once per customer for granting a purpose (the customer's data dividend).
CREATE TABLE IF NOT EXISTS relay_purpose_rewards (
  brand text NOT NULL,
  purpose text NOT NULL,
  points numeric(78, 0) NOT NULL CHECK (points > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (brand, purpose)
);

-- Every issuance the relay owes or made, with its reason. `receipt_id` is the on-chain receipt (per
-- brand, so the chain refuses a second issue of it); a purchase's parts share `purchase_receipt_id`.
-- `due_at`: when it may go on chain (the end of the return window); `operation_id`: the queued issue,
-- NULL while pending. `cancelled_points`: taken back by returns while pending (no transaction);
-- `reversed_points`: taken back on chain after issuance.
CREATE TABLE IF NOT EXISTS relay_issuances (
  brand text NOT NULL,
  receipt_id text NOT NULL,
  purchase_receipt_id text,
  subject text NOT NULL,
  reason text NOT NULL CHECK (reason IN ('purchase', 'campaign', 'welcome', 'consent-reward')),
  campaign text,
  purpose text,
  points numeric(78, 0) NOT NULL CHECK (points > 0),
  cancelled_points numeric(78, 0) NOT NULL DEFAULT 0,
  reversed_points numeric(78, 0) NOT NULL DEFAULT 0,
  due_at timestamptz NOT NULL,
  operation_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (brand, receipt_id),
  CHECK (cancelled_points + reversed_points <= points)
);
CREATE INDEX IF NOT EXISTS relay_issuances_due ON relay_issuances (due_at) WHERE operation_id IS NULL;
CREATE INDEX IF NOT EXISTS relay_issuances_subject ON relay_issuances (subject, created_at);
CREATE INDEX IF NOT EXISTS relay_issuances_purchase ON relay_issuances (brand, purchase_receipt_id);
CREATE UNIQUE INDEX IF NOT EXISTS relay_issuances_welcome_once ON relay_issuances (brand, subject) WHERE reason = 'welcome';
CREATE UNIQUE INDEX IF NOT EXISTS relay_issuances_reward_once ON relay_issuances (brand, purpose, subject) WHERE reason = 'consent-reward';

-- Purchases recorded before this migration: their points were issued at once, for the reason "purchase".
INSERT INTO relay_issuances (brand, receipt_id, purchase_receipt_id, subject, reason, points, reversed_points, due_at, operation_id, created_at)
  SELECT brand, receipt_id, receipt_id, subject, 'purchase', points, reversed_points, created_at, operation_id::uuid, created_at
    FROM relay_purchases WHERE points > 0
  ON CONFLICT DO NOTHING;

-- What the return window saved, per brand: returns that took back pending points, the issues and
-- reversals that therefore never went on chain, and their gas (from the figures of docs/gas.md).
CREATE TABLE IF NOT EXISTS relay_window_savings (
  brand text PRIMARY KEY,
  returns bigint NOT NULL DEFAULT 0,
  points bigint NOT NULL DEFAULT 0,
  issues_avoided bigint NOT NULL DEFAULT 0,
  reversals_avoided bigint NOT NULL DEFAULT 0,
  gas_saved bigint NOT NULL DEFAULT 0
);
