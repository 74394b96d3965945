-- A brand's own bound on one purchase's amount (issue 12, "amounts are bounded per brand"); null: the
-- relay's PURCHASE_MAX_AMOUNT. Never above it: the relay-wide bound caps every brand.
ALTER TABLE relay_brands ADD COLUMN IF NOT EXISTS max_purchase_amount numeric CHECK (max_purchase_amount > 0);
