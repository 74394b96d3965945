-- Each customer's visits to a brand in one row: how many relay_visits holds and the latest, which the staff
-- screen shows with a recognised customer. Reading them from relay_visits cost a scan of all the customer's
-- visits on every presence event, growing for as long as the customer keeps visiting. Triggers keep this table
-- exactly in step with relay_visits, whatever writes to it (device events, erasure, a brand's removal): an
-- insert adds to the counts, a delete or update recounts the pairs it touched.
CREATE TABLE IF NOT EXISTS relay_visit_counts (
  brand text NOT NULL,
  subject text NOT NULL,
  visits integer NOT NULL CHECK (visits > 0),
  last_seen timestamptz NOT NULL,
  PRIMARY KEY (brand, subject)
);

CREATE OR REPLACE FUNCTION relay_visit_counts_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- In key order: two transactions counting the same customers lock their rows in the same order.
  INSERT INTO relay_visit_counts AS c (brand, subject, visits, last_seen)
  SELECT brand, subject, count(*), max(seen_at) FROM added GROUP BY brand, subject ORDER BY brand, subject
  ON CONFLICT (brand, subject) DO UPDATE SET visits = c.visits + excluded.visits, last_seen = greatest(c.last_seen, excluded.last_seen);
  RETURN NULL;
END $$;

-- The counts of the given (brand, subject) pairs, each pair once, recounted from relay_visits.
CREATE OR REPLACE FUNCTION relay_visit_counts_recount_pairs(brands text[], subjects text[]) RETURNS void LANGUAGE sql AS $$
  DELETE FROM relay_visit_counts c USING unnest(brands, subjects) AS p(brand, subject)
   WHERE c.brand = p.brand AND c.subject = p.subject;
  INSERT INTO relay_visit_counts (brand, subject, visits, last_seen)
  SELECT v.brand, v.subject, count(*), max(v.seen_at)
    FROM relay_visits v JOIN unnest(brands, subjects) AS p(brand, subject) ON v.brand = p.brand AND v.subject = p.subject
   GROUP BY v.brand, v.subject ORDER BY v.brand, v.subject;
$$;

CREATE OR REPLACE FUNCTION relay_visit_counts_recount() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  brands text[];
  subjects text[];
BEGIN
  -- The pairs the statement touched: those of the rows it removed, and for an update those of the new rows too.
  IF TG_OP = 'UPDATE' THEN
    SELECT array_agg(brand), array_agg(subject) INTO brands, subjects
      FROM (SELECT brand, subject FROM removed UNION SELECT brand, subject FROM added) p;
  ELSE
    SELECT array_agg(brand), array_agg(subject) INTO brands, subjects FROM (SELECT DISTINCT brand, subject FROM removed) p;
  END IF;
  PERFORM relay_visit_counts_recount_pairs(brands, subjects);
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS relay_visits_added ON relay_visits;
CREATE TRIGGER relay_visits_added AFTER INSERT ON relay_visits REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION relay_visit_counts_added();
DROP TRIGGER IF EXISTS relay_visits_removed ON relay_visits;
CREATE TRIGGER relay_visits_removed AFTER DELETE ON relay_visits REFERENCING OLD TABLE AS removed
  FOR EACH STATEMENT EXECUTE FUNCTION relay_visit_counts_recount();
DROP TRIGGER IF EXISTS relay_visits_changed ON relay_visits;
CREATE TRIGGER relay_visits_changed AFTER UPDATE ON relay_visits REFERENCING OLD TABLE AS removed NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION relay_visit_counts_recount();

-- The visits already stored.
INSERT INTO relay_visit_counts (brand, subject, visits, last_seen)
SELECT brand, subject, count(*), max(seen_at) FROM relay_visits GROUP BY brand, subject
ON CONFLICT (brand, subject) DO UPDATE SET visits = excluded.visits, last_seen = excluded.last_seen;
