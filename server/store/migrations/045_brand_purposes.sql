-- Discovery (GET /v1/brands): what each brand tells customers about the purposes it asks consent for.
-- purpose: the bytes32 id (lower-case hex), by convention keccak256(name); name: its short name, unique per
-- brand; categories: the uint64 data-category bitmap it covers (decimal text, docs/consent.md); texts: its
-- title and description per language, {"en": {"title": "...", "description": "..."}, "fr": {...}}.
-- The notice itself (hash, URI, versions) is on chain and in the index (table `purposes`). A later notice
-- document (the JSON a notice URI serves) belongs in a table of its own keyed by (brand, purpose,
-- notice_hash), next to this one.
CREATE TABLE IF NOT EXISTS relay_brand_purposes (
  brand text NOT NULL REFERENCES relay_brands (address),
  purpose text NOT NULL,
  name text NOT NULL,
  categories text NOT NULL,
  texts jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (brand, purpose),
  UNIQUE (brand, name)
);
