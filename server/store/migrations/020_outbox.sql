-- Chain submission (server/chain, docs/relay-submission.md).
-- The outbox: one row per chain action the relay has accepted. An operation is bound to at most one
-- transaction (tx_id) at a time, and that transaction to one (signer, nonce): all the signed versions of
-- it share that nonce, so at most one of them can ever be mined.
CREATE TABLE operations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  kind text NOT NULL CHECK (kind IN ('grant', 'revoke', 'revokeAll', 'setDelegate', 'redeem', 'issue', 'reverse')),
  contract text NOT NULL CHECK (contract IN ('ledger', 'points')),
  function_name text NOT NULL,
  args jsonb NOT NULL,
  -- lower-case hex address of the relay key that must send it; NULL: the relay's default (first) key
  signer text,
  subject text,
  controller text,
  purpose text,
  idempotency_key text UNIQUE,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'submitted', 'confirmed', 'failed')),
  tx_id bigint,
  tx_hash text,
  block_number bigint,
  error_code text,
  error_message text,
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX operations_queued ON operations (seq) WHERE status = 'queued';
CREATE INDEX operations_tx ON operations (tx_id) WHERE tx_id IS NOT NULL;
CREATE INDEX operations_consent ON operations (subject, controller, purpose, kind);

-- One row per (signer, nonce) the relay has used: what was sent and what became of it.
CREATE TABLE chain_transactions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  chain_id bigint NOT NULL,
  signer text NOT NULL,
  nonce bigint NOT NULL,
  to_address text NOT NULL,
  data text NOT NULL,
  gas numeric(78, 0) NOT NULL,
  batch text NOT NULL,
  -- pending: signed and persisted, not yet final; confirmed / reverted: mined at depth; dropped: the
  -- nonce was consumed by a transaction the relay did not sign, so none of its operations ran
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'reverted', 'dropped')),
  mined_hash text,
  block_number bigint,
  broadcast_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (chain_id, signer, nonce)
);

CREATE INDEX chain_transactions_pending ON chain_transactions (signer, nonce) WHERE status = 'pending';

-- Every signed version of a transaction (the first and its fee-bumped replacements), kept so that a
-- restart can rebroadcast them and whichever gets mined is recognised.
CREATE TABLE chain_transaction_attempts (
  hash text PRIMARY KEY,
  tx_id bigint NOT NULL REFERENCES chain_transactions (id),
  raw text NOT NULL,
  max_fee_per_gas numeric(78, 0),
  max_priority_fee_per_gas numeric(78, 0),
  gas_price numeric(78, 0),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX chain_transaction_attempts_tx ON chain_transaction_attempts (tx_id, created_at);

-- The next nonce of each relay key, from the relay's own record.
CREATE TABLE signer_nonces (
  chain_id bigint NOT NULL,
  signer text NOT NULL,
  next_nonce bigint NOT NULL,
  PRIMARY KEY (chain_id, signer)
);

-- Which relay instance currently runs the loop of a key (PostgreSQL with several instances).
CREATE TABLE signer_leases (
  chain_id bigint NOT NULL,
  signer text NOT NULL,
  owner text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (chain_id, signer)
);
