// libFuzzer target for the importers' parsing: `modelreg import mof`, `modelreg import hf-card` and `modelreg import
// hf-hub`. Input: the first byte selects the importer (bit 0 even: MOF file, odd: Hugging Face model card; bit 2 set:
// a Hub listing, split by ListingReader and each entry mapped by ImportHfHubModel) and whether a `--name` is given;
// the rest is the file's text. Licenses resolve against an empty registry, so every license name takes the path of an
// unknown one (a bare unverified license). Aborts when an importer fails with another code than INVALID_ARGUMENT, or
// succeeds with a record whose name is not a valid model name, or with a license it would create whose name is not
// a valid license name.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/cli/hf_hub_listing.h"
#include "client/cli/importers/hf_card.h"
#include "client/cli/importers/hf_hub.h"
#include "client/cli/importers/import_rules.h"
#include "client/cli/importers/mof.h"
#include "server/domain/names.h"

namespace {

void Check(bool condition, const char* what, const std::string& detail) {
  if (!condition) {
    std::fprintf(stderr, "invariant broken: %s\n%s\n", what, detail.c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t selector = data[0];
  const absl::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  modelreg::cli::ImportOptions options;
  if ((selector & 2) != 0) options.name = "fuzz/model";
  options.source = "fuzz-input";
  modelreg::cli::ImportLicenses licenses({});
  if ((selector & 4) != 0) {
    std::istringstream in{std::string(text)};
    modelreg::cli::ListingReader reader(in, {});
    modelreg::cli::ListingEntry entry;
    int64_t last = 0;
    while (reader.Next(&entry)) {
      Check(entry.number == last + 1, "entries are not numbered in order", std::to_string(entry.number));
      Check(entry.end.offset <= text.size(), "the position is past the input", std::to_string(entry.end.offset));
      last = entry.number;
      if (!entry.error.empty()) continue;
      const absl::StatusOr<modelreg::cli::ImportResult> model =
          modelreg::cli::ImportHfHubModel(entry.json, options, &licenses);
      if (!model.ok()) {
        Check(model.status().code() == absl::StatusCode::kInvalidArgument, "error is not INVALID_ARGUMENT",
              model.status().ToString());
        continue;
      }
      Check(modelreg::ParseModelName(model->model.name()).ok(), "imported model has an invalid name",
            model->model.name());
    }
    return 0;
  }
  const absl::StatusOr<modelreg::cli::ImportResult> result =
      (selector & 1) == 0 ? modelreg::cli::ImportMof(text, options, &licenses)
                          : modelreg::cli::ImportHfCard(text, options, &licenses);
  if (!result.ok()) {
    Check(result.status().code() == absl::StatusCode::kInvalidArgument, "error is not INVALID_ARGUMENT",
          result.status().ToString());
    return 0;
  }
  Check(modelreg::ParseModelName(result->model.name()).ok(), "imported model has an invalid name",
        result->model.name());
  for (const modelreg::v1::License& license : result->new_licenses) {
    Check(modelreg::ParseLicenseName(license.name()).ok(), "a license to create has an invalid name", license.name());
  }
  return 0;
}
