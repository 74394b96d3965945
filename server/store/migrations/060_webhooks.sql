-- Webhooks (server/webhooks, docs/webhooks.md): brands' endpoints, the events queued for them, one
-- delivery per (endpoint, event) with the log of its attempts, and what the relay keeps to queue
-- "revoked" and "expired" events exactly once.

-- A brand's endpoint. secret: the current signing secret (whsec_<base64>); previous_secret signs too
-- until previous_secret_until (rotation grace). disabled_reason: 'failing' when the relay disabled it
-- after repeated given-up deliveries. lease_*: which relay instance delivers to it now (one at a time).
CREATE TABLE IF NOT EXISTS webhook_endpoints (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  brand text NOT NULL REFERENCES relay_brands (address),
  url text NOT NULL,
  description text NOT NULL DEFAULT '',
  event_types text[] NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  disabled_reason text,
  secret text NOT NULL,
  previous_secret text,
  previous_secret_until timestamptz,
  consecutive_failures integer NOT NULL DEFAULT 0,
  lease_owner text,
  lease_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS webhook_endpoints_brand ON webhook_endpoints (brand, created_at);

-- One event for one brand, queued in the transaction that stores its cause. seq is the queue order
-- (events are queued under one advisory lock, so seq order is commit order). id is the webhook-id
-- header; body the exact JSON signed and sent on every attempt. source_key names the cause (a chain
-- log, an accepted operation, a consent's expiry): one live event per brand and cause. block_number:
-- the cause's block, for chain-origin events; retracted: that block was abandoned by a reorganisation.
-- operation_id / purpose / matched_seq: for a revocation accepted by the relay, its operation, purpose
-- (NULL: revoke-all) and the seq of the on-chain record it was matched with once indexed.
CREATE TABLE IF NOT EXISTS webhook_events (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text NOT NULL UNIQUE,
  brand text NOT NULL,
  type text NOT NULL,
  subject text,
  body text NOT NULL,
  source_key text NOT NULL,
  block_number bigint,
  retracted boolean NOT NULL DEFAULT false,
  operation_id text,
  purpose text,
  matched_seq bigint,
  matched_block bigint,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS webhook_events_source ON webhook_events (brand, source_key) WHERE NOT retracted;
CREATE INDEX IF NOT EXISTS webhook_events_block ON webhook_events (block_number) WHERE block_number IS NOT NULL AND NOT retracted;
CREATE INDEX IF NOT EXISTS webhook_events_relay_revocations ON webhook_events (brand, subject) WHERE operation_id IS NOT NULL AND matched_seq IS NULL;
CREATE INDEX IF NOT EXISTS webhook_events_matched ON webhook_events (matched_block) WHERE matched_block IS NOT NULL;

-- One event to one endpoint. Deliveries to an endpoint are made in id order, one at a time: the
-- pending one with the lowest id is the endpoint's head, and nothing after it is sent before it is
-- delivered or given up. manual: a re-delivery the brand asked for (appended to the queue).
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  event_seq bigint NOT NULL REFERENCES webhook_events (seq),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
  manual boolean NOT NULL DEFAULT false,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_status integer,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_queue ON webhook_deliveries (endpoint_id, id) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS webhook_deliveries_log ON webhook_deliveries (endpoint_id, id DESC);
CREATE INDEX IF NOT EXISTS webhook_deliveries_event ON webhook_deliveries (event_seq);
CREATE INDEX IF NOT EXISTS webhook_deliveries_finished ON webhook_deliveries (finished_at) WHERE finished_at IS NOT NULL;

-- Every attempt, written before the request is sent (outcome NULL until it ends: an attempt cut short
-- by a stop of the relay stays so). No headers, no request body; at most a short excerpt of the answer.
CREATE TABLE IF NOT EXISTS webhook_attempts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id bigint NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  attempt integer NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  duration_ms integer,
  status_code integer,
  error text,
  response_excerpt text,
  UNIQUE (delivery_id, attempt)
);

-- Grants with an expiry, to relay brands, whose "expired" event is still to come: written by the indexer
-- with the grant, removed by the expiry job once the expiry has passed (queueing the event, or not when
-- the consent ended before), and by a rewind of the grant's block.
CREATE TABLE IF NOT EXISTS webhook_expiry_watch (
  controller text NOT NULL,
  grant_seq bigint NOT NULL,
  subject text NOT NULL,
  purpose text NOT NULL,
  expires_at bigint NOT NULL,
  block_number bigint NOT NULL,
  PRIMARY KEY (controller, grant_seq)
);
CREATE INDEX IF NOT EXISTS webhook_expiry_watch_due ON webhook_expiry_watch (expires_at);
CREATE INDEX IF NOT EXISTS webhook_expiry_watch_block ON webhook_expiry_watch (block_number);

-- Consents ended by their expiry, derived from the indexed history: a grant with an expiry that no later
-- action of the same subject and controller (a grant or revoke of that purpose, or a revoke-all) ended
-- before it, as ConsentLedger decides (an action at the expiry time itself comes after it). Whether it
-- has passed is for the reader to say (expires_at <= now).
CREATE OR REPLACE VIEW consent_expiries AS
  SELECT g.controller, g.seq AS grant_seq, g.subject, g.purpose, g.expires_at, g.notice_hash, g.categories, g.block_number
  FROM consent_history g
  WHERE g.action = 1 AND g.expires_at > 0
    AND NOT EXISTS (
      SELECT 1 FROM consent_history r
      WHERE r.subject = g.subject AND r.controller = g.controller AND r.seq > g.seq AND r.timestamp < g.expires_at
        AND (r.action = 3 OR r.purpose = g.purpose));

-- Grants already indexed when this migration runs: watch those still to expire.
INSERT INTO webhook_expiry_watch (controller, grant_seq, subject, purpose, expires_at, block_number)
  SELECT c.controller, c.granted_seq, c.subject, c.purpose, c.expires_at, c.block_number
  FROM consents c JOIN relay_brands b ON b.address = c.controller
  WHERE c.expires_at > extract(epoch FROM now()) AND c.revoked_seq = 0
ON CONFLICT DO NOTHING;
