-- Every row records which version of its kind's description (server/domain/resource/) computed its derived columns
-- (ResourceKind::DerivedVersion()). When a column is added or its rule changes, the version changes and
-- `modelregd migrate` (and serve, at start-up) recomputes the stale rows from their stored record, in batches.
-- 0 means "not yet derived by a versioned description": every existing row is recomputed once.
ALTER TABLE licenses ADD COLUMN derived_version integer NOT NULL DEFAULT 0;
ALTER TABLE models ADD COLUMN derived_version integer NOT NULL DEFAULT 0;
CREATE INDEX models_derived_version ON models (derived_version);

-- Orderings the index test (tests/integration/query/index_match_test.cc) found without an index: a model's version,
-- and every license ordering. Expressions as storage/sql/sql_expressions.h generates them.
CREATE INDEX models_version_key ON models ((version COLLATE "C"), name);
CREATE INDEX licenses_display_name_key ON licenses ((display_name COLLATE "C"), id);
CREATE INDEX licenses_spdx_id_key ON licenses ((spdx_id COLLATE "C"), id);
CREATE INDEX licenses_category_key ON licenses (category, id);
CREATE INDEX licenses_create_time_key ON licenses (create_time, id);
CREATE INDEX licenses_update_time_key ON licenses (update_time, id);
