-- Indexes for ListModels filters and orders at about 1,000,000 models (server/domain/query/ compiles the queries;
-- the expressions below must match its SQL exactly). The licenses table is small (hundreds of rows): the license.*
-- filters compile to `m.weights_license IN (SELECT l.id FROM licenses l WHERE ...)`, which scans licenses and then
-- uses models_weights_license (0001) or a hashed filter on the name-ordered scan.
--
-- Why (column, name): a List orders by its keys and then by name, and a page is "the next LIMIT rows after the
-- token's key". With an index on (key, name) the page is a range scan of LIMIT rows, no sort, whatever the page
-- number; the name tiebreaker follows the last key's direction, so `order_by=x desc` is the same index scanned
-- backwards. An equality filter on the leading column (`weights.access = OPEN_DOWNLOAD`) with the default order
-- `name` is also served in order by the same index.
--
-- NULLs: release_date and parameter_count order (and compare) on COALESCE(col, sentinel), unknown values first, so
-- those indexes are on the expressions.
--
-- Soft delete: default Lists add `m.delete_time IS NULL`. These btrees are not partial because deleted models are
-- expected to be a small fraction (a partial index would save little) and show_deleted Lists must use them too;
-- the one partial index serves the listing of deleted models.

-- Orderable keys (also range filters: `release_date >= 2024-01-01`, `parameter_count > 7000000000`).
CREATE INDEX models_release_date_key ON models ((COALESCE(release_date, '-infinity'::date)), name);
CREATE INDEX models_parameter_count_key ON models ((COALESCE(parameter_count, -1)), name);
CREATE INDEX models_family_key ON models ((family COLLATE "C"), name);
CREATE INDEX models_display_name_key ON models ((display_name COLLATE "C"), name);
CREATE INDEX models_openness_level_key ON models (openness_level, name);
CREATE INDEX models_mof_class_key ON models (mof_class, name);
CREATE INDEX models_create_time_key ON models (create_time, name);
CREATE INDEX models_update_time_key ON models (update_time, name);

-- Equality filters commonly combined with the default order.
CREATE INDEX models_weights_access_name ON models (weights_access, name);
CREATE INDEX models_modality_name ON models (modality, name);
CREATE INDEX models_data_disclosure_level_name ON models (data_disclosure_level, name);

-- `labels:KEY` (the `?` operator) and `labels.KEY = "v"` (containment `@>`): the default jsonb_ops supports both;
-- jsonb_path_ops would be smaller but supports only `@>`.
CREATE INDEX models_labels ON models USING gin (labels);
-- `openness.flags:USAGE_THRESHOLD` (`@> ARRAY[...]`).
CREATE INDEX models_openness_flags ON models USING gin (openness_flags);

-- `show_deleted=true` with `delete_time:*`: the few deleted models, in name order.
CREATE INDEX models_deleted_name ON models (name) WHERE delete_time IS NOT NULL;
