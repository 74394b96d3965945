-- A purchase batch checks the brand's backing against a balance read at a known block: it also sums the
-- brand's issues confirmed after that block (the balance does not reflect them yet). Index exactly those rows.
CREATE INDEX IF NOT EXISTS operations_confirmed_issues ON operations (controller, block_number) WHERE kind = 'issue' AND status = 'confirmed';
