-- Governance (proto/modelreg/v1/governance.proto): organizations, their deployments (the model inventory) and their
-- policies, each table as every kind's (server/domain/resource/{organization,deployment,policy}_kind.cc): the record,
-- the derived columns Lists filter and sort on, derived_version, revision and the three times. Unknown figures are
-- NULL. Indexes: one per sortable field on exactly the ORDER BY expression storage/sql/ generates, followed by the
-- key column (tests/integration/query/index_match_test.cc checks them), and (organization, name) for a List under
-- one organization.
CREATE TABLE organizations (
  id                    text COLLATE "C" PRIMARY KEY,  -- organizations/{id}
  record                bytea       NOT NULL,
  display_name          text        NOT NULL,
  country               text        NOT NULL,
  commercial            boolean,
  monthly_active_users  bigint,
  annual_revenue_usd    bigint,
  labels                jsonb       NOT NULL DEFAULT '{}',
  derived_version       integer     NOT NULL DEFAULT 0,
  revision              bigint      NOT NULL,
  create_time           timestamptz NOT NULL,
  update_time           timestamptz NOT NULL,
  delete_time           timestamptz
);

CREATE INDEX organizations_display_name_key ON organizations ((display_name COLLATE "C"), id);
CREATE INDEX organizations_monthly_active_users_key ON organizations ((COALESCE(monthly_active_users, -1)), id);
CREATE INDEX organizations_annual_revenue_usd_key ON organizations ((COALESCE(annual_revenue_usd, -1)), id);
CREATE INDEX organizations_create_time_key ON organizations (create_time, id);
CREATE INDEX organizations_update_time_key ON organizations (update_time, id);

CREATE TABLE deployments (
  name                          text COLLATE "C" PRIMARY KEY,  -- organizations/{org}/deployments/{deployment}
  organization                  text COLLATE "C" NOT NULL REFERENCES organizations (id),
  model                         text COLLATE "C" NOT NULL REFERENCES models (name),
  record                        bytea       NOT NULL,
  hosting                       smallint    NOT NULL,
  purpose_category              smallint    NOT NULL,
  product                       text        NOT NULL,
  product_monthly_active_users  bigint,
  distribute_as                 text        NOT NULL,
  train_on_outputs              boolean,
  distillation                  boolean,
  owner                         text        NOT NULL,
  state                         smallint    NOT NULL,
  overridden                    boolean     NOT NULL,
  labels                        jsonb       NOT NULL DEFAULT '{}',
  derived_version               integer     NOT NULL DEFAULT 0,
  revision                      bigint      NOT NULL,
  create_time                   timestamptz NOT NULL,
  update_time                   timestamptz NOT NULL,
  delete_time                   timestamptz
);

CREATE INDEX deployments_organization_name ON deployments (organization, name);
CREATE INDEX deployments_model_key ON deployments (model, name);
CREATE INDEX deployments_product_key ON deployments ((product COLLATE "C"), name);
CREATE INDEX deployments_product_monthly_active_users_key
  ON deployments ((COALESCE(product_monthly_active_users, -1)), name);
CREATE INDEX deployments_owner_key ON deployments ((owner COLLATE "C"), name);
CREATE INDEX deployments_state_key ON deployments (state, name);
CREATE INDEX deployments_create_time_key ON deployments (create_time, name);
CREATE INDEX deployments_update_time_key ON deployments (update_time, name);
CREATE INDEX deployments_labels ON deployments USING gin (labels);

CREATE TABLE policies (
  name            text COLLATE "C" PRIMARY KEY,  -- organizations/{org}/policies/{policy}
  organization    text COLLATE "C" NOT NULL REFERENCES organizations (id),
  record          bytea       NOT NULL,
  mode            smallint    NOT NULL,
  derived_version integer     NOT NULL DEFAULT 0,
  revision        bigint      NOT NULL,
  create_time     timestamptz NOT NULL,
  update_time     timestamptz NOT NULL,
  delete_time     timestamptz
);

CREATE INDEX policies_organization_name ON policies (organization, name);
CREATE INDEX policies_create_time_key ON policies (create_time, name);
CREATE INDEX policies_update_time_key ON policies (update_time, name);
