-- licenses.alias_keys: every name a license answers to (its id, spdx_id and aliases, as LicenseNameKey of
-- server/domain/licenses/license_names.h computes them), so a model record, GetLicense or an importer naming a license
-- by an alias finds it with one indexed lookup (`alias_keys && $1`). Existing rows are filled by the derived-column
-- backfill at the next start.
ALTER TABLE licenses ADD COLUMN alias_keys text[] NOT NULL DEFAULT '{}';
CREATE INDEX licenses_alias_keys ON licenses USING gin (alias_keys);
