#!/usr/bin/env bash
# Checks that the `modelreg` CLI holds no server code: no libpq/libpqxx, and no symbol of the storage layer, the
# migrations, the services, the gRPC adapters or the query compiler. The CLI shares only modelreg_names,
# modelreg_catalog (with the embedded catalog files), modelreg_common and the proto/client libraries.
#
#   cli_link_check.sh BUILD/bin/modelreg
set -euo pipefail
bin=$1

fail=0
if ldd "$bin" | grep -E 'libpqxx|libpq\.so'; then
  echo "FAIL: $bin loads libpq/libpqxx" >&2
  fail=1
fi

symbols=$(nm -C "$bin")
# The check means something only if the symbols are there: names and the catalog are expected in the CLI.
for expected in 'modelreg::ParseModelShorthand' 'modelreg::EmbeddedCatalogFiles' 'modelreg::SyncCatalog'; do
  if ! grep -qF "$expected" <<<"$symbols"; then
    echo "FAIL: $bin has no symbol $expected (stripped, or the check is stale)" >&2
    fail=1
  fi
done

forbidden='pqxx::|modelreg::(storage_internal::|EmbeddedMigrations|ApplyMigrations|CurrentSchemaVersion|'
forbidden+='CheckSchemaVersion|ConnectionPool|EmbeddedPostgres|RunTransaction|ModelStore|LicenseStore|ModelCache|'
forbidden+='ModelChangeListener|ModelService|LicenseService|ModelReader|ModelRegistryService|LicenseCatalogService|'
forbidden+='ToGrpcStatus|CompileListModels|CompileListLicenses|CompileFilter)'
if found=$(grep -E "$forbidden" <<<"$symbols"); then
  echo "FAIL: $bin contains server symbols:" >&2
  head -20 <<<"$found" >&2
  fail=1
fi

[ "$fail" = 0 ] && echo "cli_link_check: $bin links no server storage, migrations, services, api or libpqxx"
exit "$fail"
