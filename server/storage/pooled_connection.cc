#include "server/storage/pooled_connection.h"

#include "absl/strings/str_cat.h"

namespace modelreg {

const std::string& PooledConnection::DynamicStatement(const std::string& sql) {
  if (auto it = statements_.find(sql); it != statements_.end()) {
    recency_.splice(recency_.begin(), recency_, it->second.recency);
    return it->second.name;
  }
  if (statements_.size() >= kMaxDynamicStatements) {
    auto oldest = statements_.find(recency_.back());
    unprepare(oldest->second.name);  // DEALLOCATE when it was prepared; throws (nothing changed here) on failure
    statements_.erase(oldest);
    recency_.pop_back();
  }
  std::string name = absl::StrCat("modelreg_dynamic_", next_id_++);
  prepare(name, sql);
  recency_.push_front(sql);
  return statements_.emplace(sql, Entry{std::move(name), recency_.begin()}).first->second.name;
}

}  // namespace modelreg
