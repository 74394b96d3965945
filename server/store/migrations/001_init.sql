-- Key/value facts about this database (chain id, contract addresses it was built for).
CREATE TABLE IF NOT EXISTS meta (
  key text PRIMARY KEY,
  value text NOT NULL
);
