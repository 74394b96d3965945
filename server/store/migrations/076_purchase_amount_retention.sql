-- Till amounts are not on chain: kept only while a return may need them (RETURN_WINDOW_DAYS) and erased
-- with the customer's other data; the points of the purchase stay for the reversal.
ALTER TABLE relay_purchases ALTER COLUMN amount DROP NOT NULL;
CREATE INDEX IF NOT EXISTS relay_purchases_created ON relay_purchases (created_at) WHERE amount IS NOT NULL;
CREATE INDEX IF NOT EXISTS operations_failed ON operations (updated_at) WHERE status = 'failed';
CREATE INDEX IF NOT EXISTS relay_device_events_created ON relay_device_events (created_at);
