#include "server/storage/cached_page.h"

#include "absl/container/flat_hash_map.h"

namespace modelreg {

std::optional<std::vector<std::string>> PageRecords(const std::vector<ResourceTable::KeyVersion>& listed,
                                                    const std::vector<std::shared_ptr<const std::string>>& cached,
                                                    const std::vector<ModelRepository::SerializedModel>& fetched) {
  absl::flat_hash_map<std::string_view, const ModelRepository::SerializedModel*> by_name;
  for (const ModelRepository::SerializedModel& model : fetched) by_name.emplace(model.name, &model);
  std::vector<std::string> records;
  records.reserve(listed.size());
  for (size_t i = 0; i < listed.size(); ++i) {
    if (cached[i] != nullptr) {
      records.push_back(*cached[i]);
      continue;
    }
    const auto it = by_name.find(listed[i].key);
    if (it == by_name.end() || it->second->row_version != listed[i].version) return std::nullopt;
    records.push_back(*it->second->bytes);
  }
  return records;
}

}  // namespace modelreg
