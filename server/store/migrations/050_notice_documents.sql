-- Notice documents (docs/consent.md, "Notice documents"): every version a brand hands the relay, kept for good
-- and served by its hash, so the exact text behind any grant can always be shown.
CREATE TABLE notice_documents (
  notice_hash  text PRIMARY KEY,          -- keccak256 of `document`, 0x + 64 lower-case hex
  controller   text NOT NULL,             -- the brand (lower-case address) the document names and that uploaded it
  purpose      text NOT NULL,             -- purpose id: keccak256 of purpose_name
  purpose_name text NOT NULL,
  version      integer NOT NULL,
  document     text NOT NULL,             -- the canonical JSON (RFC 8785), served byte for byte
  created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX notice_documents_by_purpose ON notice_documents (controller, purpose, version);
