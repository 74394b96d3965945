-- Signed relay-domain messages (LinkCard, UnlinkCard, EraseData) already used, by EIP-712 digest, kept until
-- their deadline passes: each is accepted once.
CREATE TABLE IF NOT EXISTS relay_signed_messages (
  digest text PRIMARY KEY,
  expires_at bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS relay_signed_messages_expiry ON relay_signed_messages (expires_at);

-- When (chain-time unix seconds) a customer last unlinked a card of a brand or erased their data there: a
-- LinkCard that may have been signed before is refused.
CREATE TABLE IF NOT EXISTS relay_customer_erasures (
  brand text NOT NULL,
  subject text NOT NULL,
  erased_at bigint NOT NULL,
  PRIMARY KEY (brand, subject)
);
