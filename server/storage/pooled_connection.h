// A connection of the ConnectionPool: libpqxx's connection plus the statements built per call that it has prepared.
// (libpqxx's connection classes have no virtual destructor: a PooledConnection is owned and deleted as one.)
//
// A List's SQL text is built per call (the filter's shape and the ordering make the text; every value is a bound
// parameter), so the same few texts recur. Run unprepared, each call pays PostgreSQL's parse and plan again (planning
// weighs every index of the table: a third of a page's database time). ExecDynamic runs such a text as a prepared
// statement instead, prepared once per connection, which saves the parse. PostgreSQL plans it as it does any prepared
// statement: custom plans for the first five runs, then a generic plan only when its estimate is not costlier. A
// List's LIMIT is a parameter, which a generic plan costs at a guessed 10% of the rows, so Lists keep custom plans in
// practice: each call is planned for its own values (a rare filter value gets the plan that suits it), at the price of
// planning every call (about 15% of the machine's CPU in the benchmark's broad List, session 15).
#pragma once

#include <cstdint>
#include <list>
#include <pqxx/pqxx>
#include <string>
#include <unordered_map>
#include <utility>

#include "server/storage/transaction.h"

namespace modelreg {

class PooledConnection : public pqxx::connection {
 public:
  // Statements built per call that one connection keeps prepared; the least recently used is deallocated beyond.
  static constexpr size_t kMaxDynamicStatements = 50;

  explicit PooledConnection(const std::string& url) : pqxx::connection(url) {}

  // The name under which `sql` is prepared on this connection: registered with libpqxx, which prepares it on first
  // use, when new; making room first by deallocating the least recently used one (a round trip).
  const std::string& DynamicStatement(const std::string& sql);

 private:
  struct Entry {
    std::string name;
    std::list<std::string>::iterator recency;
  };
  std::list<std::string> recency_;  // SQL texts, most recently used first
  std::unordered_map<std::string, Entry> statements_;
  uint64_t next_id_ = 0;
};

// Runs `sql` (built per call) with `params`: prepared when the transaction runs on a pooled connection, else
// unprepared.
template <typename... Params>
pqxx::result ExecDynamic(Transaction& tx, const std::string& sql, Params&&... params) {
  PooledConnection* pooled = tx.pooled_connection();
  if (pooled == nullptr) return tx.sql().exec_params(sql, std::forward<Params>(params)...);
  return tx.sql().exec_prepared(pooled->DynamicStatement(sql), std::forward<Params>(params)...);
}

}  // namespace modelreg
