-- Reads by customer (the consent gate's pending revocations, the prechecks of a customer's actions, the customer's
-- pending consent changes) used operations_consent, which held every operation with a subject: a brand's issues
-- and reversals too, one or more per purchase. Each read then stepped over all of that customer's purchases at the
-- brand, so the gate of every purchase and device event grew with the customer's history. This index holds the
-- operations a customer's own actions make (consent, delegation, redemption); each of those reads names its kinds.
DROP INDEX IF EXISTS operations_consent;
CREATE INDEX IF NOT EXISTS operations_customer_actions ON operations (subject, controller, purpose, kind)
  WHERE kind IN ('grant', 'revoke', 'revokeAll', 'setDelegate', 'redeem');
