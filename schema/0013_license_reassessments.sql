-- Background reassessment after a license changes (server/service/license_reassessor.h). UpdateLicense writes this
-- row in the transaction that updates the license, so a committed update always has its reassessment queued, and
-- the queue survives a restart. Workers (any modelregd on the database) each take a row under a transaction-level
-- advisory lock, reassess the next batch of models using the license in name order after `after_name`, and in the
-- same transaction move `after_name` on (or delete the row after the last batch), both only if `generation` is still
-- the one they read: a newer update of the license in the meantime restarts the pass from the first model.
CREATE TABLE license_reassessments (
  license_id     text COLLATE "C" PRIMARY KEY,  -- licenses.id
  generation     bigint      NOT NULL DEFAULT 1, -- +1 per license update; a pass of an older one is void
  after_name     text COLLATE "C" NOT NULL DEFAULT '',  -- models up to this name are done in this generation
  pending        bigint      NOT NULL,           -- models still to reassess (counted at the update, then decreased)
  principal      text        NOT NULL,           -- who updated the license: the author of the REASSESS revisions
  request_id     text        NOT NULL DEFAULT '',
  enqueue_time   timestamptz NOT NULL DEFAULT now()
);
