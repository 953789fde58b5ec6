-- models.active_parameter_count: parameters active per token of a mixture-of-experts model, NULL when unknown
-- (server/domain/resource/model_kind.cc). licenses.withheld_territories: the territories of the license's
-- territorial_restrictions (server/domain/resource/license_kind.cc). Existing rows are filled by the derived-column
-- backfill at the next start.
ALTER TABLE models ADD COLUMN active_parameter_count bigint;
ALTER TABLE licenses ADD COLUMN withheld_territories text[] NOT NULL DEFAULT '{}';
