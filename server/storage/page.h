// One page of a List from the store.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace modelreg {

template <typename T>
struct Page {
  std::vector<T> items;
  // Values of the ordering keys (sql::ListSql::key_columns) for the last item (NULL as nullopt), set only when another
  // page follows.
  std::optional<std::vector<std::optional<std::string>>> next_key;
};

}  // namespace modelreg
