-- CoalitionPoints' RedemptionsAccepted(brand, accepted): a brand stops (or resumes) accepting redemptions.
-- points_events gets the kind (brand, amount 1 = accepted, 0 = refused); points_brands the brand's latest
-- choice, true until it says otherwise, as acceptsRedemptions() reads it together with the admission status.
-- A database indexed before the contracts emitted this event holds none of it: nothing to rebuild.
ALTER TABLE points_events DROP CONSTRAINT IF EXISTS points_events_kind_check;
ALTER TABLE points_events ADD CONSTRAINT points_events_kind_check CHECK (kind IN ('issued', 'reversed', 'redeemed', 'expired', 'deposited',
  'withdrawn', 'transfer', 'brand_admitted', 'brand_suspended', 'operator_set', 'redemptions_accepted'));
ALTER TABLE points_brands ADD COLUMN IF NOT EXISTS accepts_redemptions boolean NOT NULL DEFAULT true;
