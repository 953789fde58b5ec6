-- The change stream (History.WatchChanges, server/service/change_feed.h) serves the revisions table as its outbox:
-- a change's revision is written in the transaction that makes it, so a change is visible exactly when committed.
--
-- Sequence numbers are allocated before commit, so transactions can commit out of sequence order. The feed delivers
-- a sequence only once every transaction that could still commit a smaller one has ended. It learns that from
-- transaction ids: it reads the last allocated sequence L, then takes a fresh transaction id W; once the oldest
-- running transaction id is above W, every transaction that allocated a sequence up to L has ended. That holds only
-- if a transaction has its id before it allocates a sequence number, which the default below guarantees
-- (CASE evaluates its condition first; pg_current_xact_id() assigns the id when there is none yet).
ALTER TABLE revisions ALTER COLUMN sequence DROP IDENTITY;
CREATE SEQUENCE revisions_sequence AS bigint OWNED BY revisions.sequence;
SELECT setval('revisions_sequence', COALESCE(max(sequence), 0) + 1, false) FROM revisions;

CREATE FUNCTION next_revision_sequence() RETURNS bigint LANGUAGE sql VOLATILE AS
$$ SELECT CASE WHEN pg_current_xact_id() IS NOT NULL THEN nextval('revisions_sequence') END $$;

ALTER TABLE revisions ALTER COLUMN sequence SET DEFAULT next_revision_sequence();
