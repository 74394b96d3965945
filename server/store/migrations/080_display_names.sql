-- The name a customer chose to share with a brand for in-store greeting. Personal data: kept only while
-- the customer grants the brand in-store recognition (erased when a revocation is accepted, and by the
-- relay's periodic pruning when the consent ended otherwise: expiry, a revocation sent to the chain directly).
CREATE TABLE IF NOT EXISTS relay_display_names (
  brand text NOT NULL,
  subject text NOT NULL,
  display_name text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (brand, subject)
);
