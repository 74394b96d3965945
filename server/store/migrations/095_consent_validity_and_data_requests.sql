-- Consent as regulators define it (issue 15): a brand's maximum validity per purpose, and the log of
-- customers' data requests.

-- The longest a consent to this purpose may last, in seconds (NULL: no limit). A grant with no expiry,
-- or one ending later than this after the relay's "now", is refused before it is queued.
ALTER TABLE relay_brand_purposes ADD COLUMN IF NOT EXISTS max_validity_seconds bigint CHECK (max_validity_seconds > 0);

-- Every signed DataRequest (access or erasure) the relay accepted, and its outcome: what kind, for which
-- brand (NULL: every brand of the relay), the signed nonce and timestamp, and per table how many rows
-- were returned or erased and what stays and why. Never the data itself. Kept after an erasure: the
-- record that the request was made and answered (GDPR Art. 5(2), 12(3)), and the nonce that stops a
-- replay (EraseData requests carry no nonce: NULL). The subject is the wallet address, public on chain anyway.
CREATE TABLE IF NOT EXISTS data_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subject text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('access', 'erase')),
  brand text,
  nonce text,
  signed_at bigint NOT NULL,
  via text NOT NULL DEFAULT 'DataRequest' CHECK (via IN ('DataRequest', 'EraseData')),
  status text NOT NULL CHECK (status IN ('completed', 'failed')),
  outcome jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subject, nonce)
);
CREATE INDEX IF NOT EXISTS data_requests_subject ON data_requests (subject, received_at);
