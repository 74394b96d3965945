-- Relay (issue 4): brands, their stores and devices, device events, and the off-chain personal data
-- a consenting customer's events produce. Addresses and hashes are lower-case 0x hex text; times are
-- timestamptz; amounts of currency are numeric; points are numeric(78,0).

-- A partner brand: its address is its controller on ConsentLedger and its brand on CoalitionPoints.
-- points_per_unit: the earning rule (points per currency unit, a decimal). operator: the relay signer
-- address that sends its issue/reverse calls. api_key_hash: sha256 of its API key (the key itself is
-- shown once). receipt_salt: secret salt of its receipt ids (keccak256(salt, brand, till receipt)).
CREATE TABLE IF NOT EXISTS relay_brands (
  address text PRIMARY KEY,
  name text NOT NULL,
  points_per_unit numeric NOT NULL CHECK (points_per_unit >= 0),
  operator text NOT NULL,
  api_key_hash text NOT NULL UNIQUE,
  receipt_salt text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS relay_stores (
  id text PRIMARY KEY,
  brand text NOT NULL REFERENCES relay_brands (address),
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS relay_stores_brand ON relay_stores (brand);

-- A device signs its requests with its own Ed25519 key; the relay keeps only the public key (base64url
-- of the 32 raw bytes).
CREATE TABLE IF NOT EXISTS relay_devices (
  id text PRIMARY KEY,
  brand text NOT NULL REFERENCES relay_brands (address),
  store_id text NOT NULL REFERENCES relay_stores (id),
  name text NOT NULL,
  public_key text NOT NULL,
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS relay_devices_store ON relay_devices (store_id);

-- Signatures already seen (sha256 of the signature), kept until their timestamp leaves the tolerance
-- window: a replayed request is refused.
CREATE TABLE IF NOT EXISTS relay_device_signatures (
  signature_hash text PRIMARY KEY,
  device_id text NOT NULL,
  expires_at bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS relay_device_signatures_expiry ON relay_device_signatures (expires_at);

-- The first answer to each event id of a brand; a re-sent event gets it again. No customer reference:
-- a dropped event leaves only this row (and a counter).
CREATE TABLE IF NOT EXISTS relay_device_events (
  brand text NOT NULL,
  event_id text NOT NULL,
  device_id text NOT NULL,
  kind text NOT NULL,
  status integer NOT NULL,
  response jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (brand, event_id)
);

-- Personal data, stored only for a customer who granted the event's purpose to the brand; erasable.
CREATE TABLE IF NOT EXISTS relay_visits (
  id bigserial PRIMARY KEY,
  brand text NOT NULL,
  store_id text NOT NULL,
  subject text NOT NULL,
  seen_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS relay_visits_subject ON relay_visits (brand, subject, seen_at);

CREATE TABLE IF NOT EXISTS relay_scans (
  id bigserial PRIMARY KEY,
  brand text NOT NULL,
  store_id text NOT NULL,
  subject text NOT NULL,
  product_code text NOT NULL,
  scanned_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS relay_scans_subject ON relay_scans (brand, subject);

-- Purchases that earned points (receipt_id is the salted hash, never the till receipt) and what was
-- reversed of them since.
CREATE TABLE IF NOT EXISTS relay_purchases (
  brand text NOT NULL,
  receipt_id text NOT NULL,
  subject text NOT NULL,
  amount numeric NOT NULL,
  points numeric(78, 0) NOT NULL,
  reversed_points numeric(78, 0) NOT NULL DEFAULT 0,
  operation_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (brand, receipt_id)
);
CREATE INDEX IF NOT EXISTS relay_purchases_subject ON relay_purchases (brand, subject);

-- Loyalty cards linked to a wallet by the wallet's signature: only HMAC-SHA256(CARD_TOKEN_PEPPER, ...)
-- of the card token is kept.
CREATE TABLE IF NOT EXISTS relay_card_links (
  brand text NOT NULL,
  card_hash text NOT NULL,
  subject text NOT NULL,
  linked_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (brand, card_hash)
);
CREATE INDEX IF NOT EXISTS relay_card_links_subject ON relay_card_links (subject, brand);

-- Customers' signed actions accepted by the relay: which EIP-712 nonce each queued operation uses, so
-- a nonce cannot be used twice while the first operation is still on its way.
CREATE TABLE IF NOT EXISTS relay_customer_actions (
  operation_id text PRIMARY KEY,
  contract text NOT NULL CHECK (contract IN ('ledger', 'points')),
  subject text NOT NULL,
  nonce numeric(78, 0) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS relay_customer_actions_subject ON relay_customer_actions (contract, subject, nonce);
