-- Request ids of mutations (AIP-155; server/storage/request_id_store.cc): one row per (principal, request_id) that
-- a call completed with. Written in the mutation's own transaction, so a committed change and its recorded response
-- are atomic; the primary key makes a concurrent duplicate wait for the first call and then read its row.
-- Rows older than modelregd's --request-id-retention (default 24h) are deleted periodically.
CREATE TABLE request_ids (
  principal    text COLLATE "C" NOT NULL,  -- who called (a token's principal)
  request_id   uuid        NOT NULL,
  method       text COLLATE "C" NOT NULL,  -- the request's message type, e.g. modelreg.v1.CreateModelRequest
  request_hash bytea       NOT NULL,       -- SHA-256 of the request without its request_id
  response     bytea,                      -- the serialized response; NULL only inside the first call's transaction
  create_time  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (principal, request_id)
);

CREATE INDEX request_ids_create_time ON request_ids (create_time);
