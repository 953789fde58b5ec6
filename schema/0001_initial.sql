-- Licenses and models. Each row keeps the whole record as a serialized protobuf (`record`, output-only fields
-- cleared) and, beside it, typed columns for every field a List filters or sorts on. The store writes both in the
-- same statement, so they never disagree. Text keys use the "C" collation: byte order, the same in every locale.

CREATE TABLE licenses (
  id                    text COLLATE "C" PRIMARY KEY,
  record                bytea       NOT NULL,
  display_name          text        NOT NULL,
  spdx_id               text        NOT NULL,
  category              smallint    NOT NULL,
  commercial_use        smallint    NOT NULL,
  osi_approved          boolean     NOT NULL,
  fsf_libre             boolean     NOT NULL,
  open_data             boolean     NOT NULL,
  has_usage_threshold   boolean     NOT NULL,
  has_use_restrictions  boolean     NOT NULL,
  revision              bigint      NOT NULL,
  create_time           timestamptz NOT NULL,
  update_time           timestamptz NOT NULL,
  delete_time           timestamptz
);

CREATE TABLE models (
  name                  text COLLATE "C" PRIMARY KEY,  -- publishers/{publisher}/models/{model}
  publisher             text COLLATE "C" NOT NULL,
  record                bytea       NOT NULL,
  display_name          text        NOT NULL,
  family                text        NOT NULL,
  version               text        NOT NULL,
  release_date          date,                          -- NULL when unknown
  parameter_count       bigint,                        -- NULL when unknown
  modality              smallint    NOT NULL,
  architecture          text        NOT NULL,
  treatment             smallint    NOT NULL,
  labels                jsonb       NOT NULL DEFAULT '{}',
  base_model            text COLLATE "C" NOT NULL,
  base_model_relation   smallint    NOT NULL,
  weights_access        smallint    NOT NULL,
  weights_license       text COLLATE "C" REFERENCES licenses (id),
  license_refs          text[]      NOT NULL DEFAULT '{}',  -- every licenses.id the record names
  data_disclosure_level smallint    NOT NULL,
  openness_level        smallint    NOT NULL,
  mof_class             smallint    NOT NULL,
  osaid_candidate       boolean     NOT NULL,
  openness_flags        smallint[]  NOT NULL DEFAULT '{}',
  rules_version         integer     NOT NULL,
  revision              bigint      NOT NULL,
  create_time           timestamptz NOT NULL,
  update_time           timestamptz NOT NULL,
  delete_time           timestamptz
);

CREATE INDEX models_publisher_name ON models (publisher, name);
CREATE INDEX models_license_refs ON models USING gin (license_refs);
CREATE INDEX models_weights_license ON models (weights_license, name);
CREATE INDEX models_base_model ON models (base_model) WHERE base_model <> '';
CREATE INDEX models_rules_version ON models (rules_version);
