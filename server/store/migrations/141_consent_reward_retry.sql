-- Rewards for consent whose issue failed for want of backing are queued again once the brand's backing
-- covers them (server/loyalty/rewardRetry.ts, docs/points.md "Rewards for consent"). `attempt` counts the
-- issues queued after the first: the outbox's idempotency key of attempt n > 0 is `issue:<receiptId>:<n>`
-- (the first keeps `issue:<receiptId>`), and one transaction raises it with the new operation's binding.
ALTER TABLE relay_issuances ADD COLUMN IF NOT EXISTS attempt integer NOT NULL DEFAULT 0 CHECK (attempt >= 0);
-- The loyalty loop looks for issues that failed for want of backing at every poll: index exactly those rows,
-- and the rewards by the operation they are bound to.
CREATE INDEX IF NOT EXISTS operations_unbacked_issues ON operations (controller) WHERE kind = 'issue' AND status = 'failed' AND error_code = 'InsufficientBrandBalance';
CREATE INDEX IF NOT EXISTS relay_issuances_reward_operation ON relay_issuances (operation_id) WHERE reason = 'consent-reward';
