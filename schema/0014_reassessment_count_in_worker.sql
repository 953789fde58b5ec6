-- UpdateLicense no longer counts the models using the license inside its transaction (the count grew with the
-- number of models: about 2 s for 500,000). It queues the entry with `pending` NULL, "not counted yet"; the worker's
-- first batch of a pass counts the models still to do after it, in its own transaction
-- (server/storage/reassessment_store.cc), and later batches decrease the count.
ALTER TABLE license_reassessments ALTER COLUMN pending DROP NOT NULL;
COMMENT ON COLUMN license_reassessments.pending IS
  'models still to reassess; NULL until the first batch of the pass counted them';
