-- History (proto/modelreg/v1/history.proto): one row per change of any resource, written by the storage layer
-- (server/storage/resource_table.cc) in the transaction that makes the change: the stored record after it (output
-- fields cleared, as in each kind's table) with its revision and times, the change kind (ChangeKind numbers), the
-- acting principal and request id, and the transaction's time. `sequence` orders every change of every resource.
-- Nothing but this migration and the storage layer's append writes here; the API offers no update or delete.
CREATE TABLE revisions (
  sequence     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  resource     text COLLATE "C" NOT NULL,  -- the resource name, e.g. licenses/mit
  kind         text        NOT NULL,       -- the kind's table: models, licenses, tokens, organizations, ...
  revision     bigint      NOT NULL,       -- the resource's revision after the change
  change       smallint    NOT NULL,       -- modelreg.v1.ChangeKind
  record       bytea,                      -- NULL only for a purge
  create_time  timestamptz,
  update_time  timestamptz,
  delete_time  timestamptz,
  principal    text        NOT NULL,
  request_id   text        NOT NULL DEFAULT '',
  commit_time  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX revisions_resource ON revisions (resource, sequence);

-- The records as they stand now are each resource's first revision (CHANGE_KIND_BASELINE = 7), dated by their last
-- update, so that reads as of a time after that find them.
INSERT INTO revisions (resource, kind, revision, change, record, create_time, update_time, delete_time, principal,
                       commit_time)
SELECT resource, kind, revision, 7, record, create_time, update_time, delete_time, 'system', update_time
FROM (SELECT name AS resource, 'models' AS kind, revision, record, create_time, update_time, delete_time FROM models
      UNION ALL
      SELECT 'licenses/' || id, 'licenses', revision, record, create_time, update_time, delete_time FROM licenses
      UNION ALL
      SELECT 'tokens/' || id, 'tokens', revision, record, create_time, update_time, delete_time FROM tokens
      UNION ALL
      SELECT 'organizations/' || id, 'organizations', revision, record, create_time, update_time, delete_time
      FROM organizations
      UNION ALL
      SELECT name, 'deployments', revision, record, create_time, update_time, delete_time FROM deployments
      UNION ALL
      SELECT name, 'policies', revision, record, create_time, update_time, delete_time FROM policies) current
ORDER BY update_time, resource;
