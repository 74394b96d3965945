-- ConsentLedger's SetDelegate signatures use their own nonce lane (`delegateNonces`): an accepted
-- SetDelegate records its nonce under contract 'delegate'. chain_block: the chain's latest block when the
-- relay accepted the action, so a failed revocation keeps its effect at the gate until a grant mined after it.
ALTER TABLE relay_customer_actions DROP CONSTRAINT IF EXISTS relay_customer_actions_contract_check;
ALTER TABLE relay_customer_actions ADD CONSTRAINT relay_customer_actions_contract_check CHECK (contract IN ('ledger', 'points', 'delegate'));
ALTER TABLE relay_customer_actions ADD COLUMN IF NOT EXISTS chain_block bigint;
CREATE INDEX IF NOT EXISTS relay_customer_actions_recent ON relay_customer_actions (subject, created_at);
