#include "server/domain/auth/certificate_bindings.h"

#include <yaml-cpp/yaml.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/domain/auth/token_args.h"

namespace modelreg {
namespace {

// `role=scope`, as `modelreg tokens create --binding` takes it.
absl::StatusOr<Binding> ParseBinding(const std::string& text, const std::string& where) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": expected ROLE=SCOPE, got `", text, "`"));
  }
  Binding binding;
  absl::StatusOr<v1::Role> role = ParseRoleName(text.substr(0, eq));
  if (!role.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": unknown role `", text.substr(0, eq), "` (viewer, editor, admin)"));
  }
  binding.role = *role;
  binding.scope = text.substr(eq + 1);
  MODELREG_RETURN_IF_ERROR(ValidateScope(binding.scope, where));
  return binding;
}

// One list entry: {subject, principal?, bindings}.
absl::StatusOr<std::pair<std::string, Principal>> ParseEntry(const YAML::Node& node, const std::string& where) {
  if (!node.IsMap())
    return absl::InvalidArgumentError(absl::StrCat(where, ": expected a map with `subject` and `bindings`"));
  std::string subject;
  Principal principal;
  for (const auto& item : node) {
    const std::string key = item.first.as<std::string>();
    if (key == "subject" && item.second.IsScalar()) {
      subject = item.second.as<std::string>();
    } else if (key == "principal" && item.second.IsScalar()) {
      principal.name = item.second.as<std::string>();
    } else if (key == "bindings" && item.second.IsSequence()) {
      for (size_t i = 0; i < item.second.size(); ++i) {
        const std::string at = absl::StrCat(where, ".bindings[", i, "]");
        if (!item.second[i].IsScalar()) return absl::InvalidArgumentError(absl::StrCat(at, ": expected ROLE=SCOPE"));
        MODELREG_ASSIGN_OR_RETURN(Binding binding, ParseBinding(item.second[i].as<std::string>(), at));
        principal.bindings.push_back(std::move(binding));
      }
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": unexpected `", key, "` (expected `subject` and `principal`: text, `bindings`: a list)"));
    }
  }
  if (subject.empty()) return absl::InvalidArgumentError(absl::StrCat(where, ": `subject` is required"));
  if (principal.bindings.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(where, " (`", subject, "`): `bindings` must list at least one"));
  }
  if (principal.name.empty()) principal.name = "cert:" + subject;
  return std::make_pair(std::move(subject), std::move(principal));
}

}  // namespace

absl::StatusOr<CertificateBindings> CertificateBindings::Parse(absl::string_view yaml, absl::string_view source) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": not YAML: ", e.what()));
  }
  if (!root.IsSequence()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": expected a list of {subject, bindings} entries"));
  }
  CertificateBindings table;
  for (size_t i = 0; i < root.size(); ++i) {
    const std::string where = absl::StrCat(source, ": [", i, "]");
    absl::StatusOr<std::pair<std::string, Principal>> entry;
    try {
      entry = ParseEntry(root[i], where);
    } catch (const YAML::Exception& e) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": ", e.what()));
    }
    if (!entry.ok()) return entry.status();
    if (!table.by_subject_.emplace(entry->first, std::move(entry->second)).second) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": subject `", entry->first, "` is listed twice"));
    }
  }
  return table;
}

const Principal* CertificateBindings::Find(absl::string_view subject) const {
  auto it = by_subject_.find(subject);
  return it == by_subject_.end() ? nullptr : &it->second;
}

}  // namespace modelreg
