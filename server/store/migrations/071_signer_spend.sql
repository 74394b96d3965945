-- The fee each final transaction cost its relay key (gas used x effective gas price, wei), for the
-- daily spend ceiling (SIGNER_DAILY_SPEND_LIMIT_WEI) and the spend metric.
ALTER TABLE chain_transactions ADD COLUMN IF NOT EXISTS fee_paid numeric(78, 0);
CREATE INDEX IF NOT EXISTS chain_transactions_spend ON chain_transactions (chain_id, signer, updated_at) WHERE fee_paid IS NOT NULL;
