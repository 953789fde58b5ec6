-- licenses.has_attribution_requirement: the license asks for a displayed attribution (server/domain/resource/
-- license_kind.cc). Existing rows are filled by the derived-column backfill at the next start.
ALTER TABLE licenses ADD COLUMN has_attribution_requirement boolean NOT NULL DEFAULT false;
