-- A brand the operator of the relay disabled (POST /v1/admin/brands/:address/state): its API key and
-- its devices are refused, and its staff streams end, until it is enabled again.
ALTER TABLE relay_brands ADD COLUMN IF NOT EXISTS disabled boolean NOT NULL DEFAULT false;
