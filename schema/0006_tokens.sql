-- API tokens (server/storage/token_store.cc). `record` is a modelreg.storage.v1.StoredToken; the secret itself is
-- never stored, only its SHA-256 (hex), by which a call's bearer token is looked up.
CREATE TABLE tokens (
  id              text COLLATE "C" PRIMARY KEY,  -- tokens/{id}
  record          bytea       NOT NULL,
  secret_sha256   text COLLATE "C" NOT NULL,
  principal       text COLLATE "C" NOT NULL,
  derived_version integer     NOT NULL DEFAULT 0,
  revision        bigint      NOT NULL,
  create_time     timestamptz NOT NULL,
  update_time     timestamptz NOT NULL,
  delete_time     timestamptz
);

CREATE UNIQUE INDEX tokens_secret_sha256 ON tokens (secret_sha256);
