// Lists as of a time (ListModels and EvaluateCompliance with `read_time`), answered by the ordinary List and read
// code over tables rebuilt from the history: in one transaction, a temporary table shaped like each kind's table
// (`models`, `licenses`, ...) is filled with the last revision of each resource made at or before the time (its
// record, revision and times; purged resources left out), its derived columns computed by the very code of the
// writes (ResourceTable::Restore). Temporary tables come first in the name lookup, and the transaction puts
// `pg_temp` explicitly first in its search_path, which makes PostgreSQL re-plan the prepared statements it runs, so
// every statement of the body, prepared or not, reads the tables of then; the tables are dropped at its end.
//
// Costs O(resources of those kinds) per call (each read in batches: memory stays bounded), whatever the page size:
// fine for a registry's thousands of models, not for millions.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "google/protobuf/timestamp.pb.h"
#include "server/storage/connection_pool.h"
#include "server/storage/transaction.h"

namespace modelreg {

// Runs `body` in one transaction in which the tables of `kinds` (table names) hold their rows as of `time`. The
// body must not write: its changes would go to the temporary tables and be dropped. Not from inside another
// transaction's body (it would join it, whose later reads would then see the tables of then too).
absl::Status RunAsOf(ConnectionPool& pool, const google::protobuf::Timestamp& time,
                     const std::vector<std::string>& kinds, const TransactionBody& body);

}  // namespace modelreg
