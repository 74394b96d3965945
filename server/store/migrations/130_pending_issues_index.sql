-- A purchase's backing check sums the brand's issues not yet settled: index exactly those rows.
CREATE INDEX IF NOT EXISTS operations_open_issues ON operations (controller) WHERE kind = 'issue' AND status IN ('queued', 'submitted');
