#include "server/domain/usage/usage_rules.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "server/common/number_format.h"

namespace modelreg {
namespace {

using v1::License;
using v1::Model;
using v1::UsageFinding;
using v1::UsageProfile;
using v1::Verdict;
using v1::Weights;
using Threshold = License::UsageThreshold;

// A profile flag: set true, set false, or unset (unknown).
enum class Tri { kYes, kNo, kUnknown };

Tri Flag(bool has, bool value) {
  if (!has) return Tri::kUnknown;
  return value ? Tri::kYes : Tri::kNo;
}

std::string Quoted(const std::string& text) { return absl::StrCat("\"", text, "\""); }

std::string LicenseLabel(const License& license) {
  if (license.display_name().empty()) return license.name();
  return absl::StrCat(license.display_name(), " (", license.name(), ")");
}

// Where the catalog read a license's terms: its first source, else the URI of its text.
std::string SourceOf(const License& license) { return license.sources_size() > 0 ? license.sources(0) : license.uri(); }

std::string SourceOf(const Model& model) { return model.sources_size() > 0 ? model.sources(0) : model.homepage_uri(); }

UsageFinding Finding(Verdict verdict, const std::string& model, std::string term, std::string action) {
  UsageFinding finding;
  finding.set_verdict(verdict);
  finding.set_model(model);
  finding.set_term(std::move(term));
  finding.set_action(std::move(action));
  return finding;
}

// One license applied to the use: the model it comes from (the checked model or an ancestor), its terms, the profile,
// and where findings go.
class LicenseCheck {
 public:
  LicenseCheck(const Model& model, const License& license, const UsageProfile& profile, std::vector<UsageFinding>& out)
      : model_(model), license_(license), profile_(profile), out_(out) {}

  void Run() {
    if (!TermsRecorded(license_)) {  // U2
      Add(v1::VERDICT_UNKNOWN, "",
          absl::StrCat("the catalog records only the name of ", LicenseLabel(license_),
                       ": record its terms (commercial use, thresholds, use restrictions, derivative terms)"),
          "license");
      return;
    }
    CommercialUse();
    Thresholds();
    UseRestrictions();
    Attribution();
    NamePrefix();
    Propagation();
    OutputsTraining();
    Distillation();
    RemoteRestriction();
    Territories();
  }

 private:
  UsageFinding& Add(Verdict verdict, std::string term, std::string action, std::string missing_fact = "") {
    UsageFinding finding = Finding(verdict, model_.name(), std::move(term), std::move(action));
    finding.set_license(license_.name());
    finding.set_source(SourceOf(license_));
    finding.set_missing_fact(std::move(missing_fact));
    out_.push_back(std::move(finding));
    return out_.back();
  }

  // U3.
  void CommercialUse() {
    const Tri commercial = Flag(profile_.has_commercial(), profile_.commercial());
    if (IsNonCommercial(license_)) {
      const bool research_only = license_.category() == License::CATEGORY_RESEARCH_ONLY;
      const std::string term =
          license_.commercial_use() == License::COMMERCIAL_USE_PROHIBITED ? "commercial_use" : "category";
      const std::string allows = research_only ? "research use only" : "non-commercial use only";
      switch (commercial) {
        case Tri::kYes:
          Add(v1::VERDICT_PROHIBITED, term,
              absl::StrCat("do not use it commercially: the license allows ", allows,
                           "; a commercial use needs another license from the licensor"));
          break;
        case Tri::kUnknown:
          Add(v1::VERDICT_UNKNOWN, term, absl::StrCat("say whether the use is commercial: the license allows ", allows),
              "profile.commercial");
          break;
        case Tri::kNo:
          if (research_only) {
            Add(v1::VERDICT_ALLOWED_WITH_OBLIGATIONS, term,
                "use it for research only: the license allows no other non-commercial use either");
          } else {
            Add(v1::VERDICT_ALLOWED, term, "a non-commercial use, which the license allows");
          }
          break;
      }
      return;
    }
    const bool settled = license_.commercial_use() != License::COMMERCIAL_USE_UNSPECIFIED ||
                         license_.category() == License::CATEGORY_PERMISSIVE ||
                         license_.category() == License::CATEGORY_COPYLEFT ||
                         license_.category() == License::CATEGORY_OPEN_DATA || IsOpenLicense(license_);
    if (settled || commercial == Tri::kNo) return;
    if (commercial == Tri::kYes) {
      Add(v1::VERDICT_UNKNOWN, "commercial_use",
          absl::StrCat("the catalog does not record whether ", LicenseLabel(license_),
                       " allows commercial use: read the license and record it"),
          "license.commercial_use");
    } else {
      Add(v1::VERDICT_UNKNOWN, "commercial_use",
          "say whether the use is commercial: the catalog does not record whether the license allows it",
          "profile.commercial");
    }
  }

  // U4.
  void Thresholds() {
    for (int i = 0; i < license_.usage_thresholds_size(); ++i) {
      const Threshold& t = license_.usage_thresholds(i);
      const std::string term = absl::StrCat("usage_thresholds[", i, "]");
      auto add = [&](Verdict verdict, std::string action, std::string missing = "") {
        Add(verdict, term, std::move(action), std::move(missing)).set_clause(t.clause());
      };
      std::string noun;
      std::string field;
      std::optional<int64_t> figure;
      bool dollars = true;
      switch (t.metric()) {
        case Threshold::METRIC_MONTHLY_ACTIVE_USERS:
          noun = "monthly active users";
          field = "profile.monthly_active_users";
          dollars = false;
          if (profile_.has_monthly_active_users()) figure = profile_.monthly_active_users();
          break;
        case Threshold::METRIC_ANNUAL_REVENUE_USD:
          noun = "annual revenue";
          field = "profile.annual_revenue_usd";
          if (profile_.has_annual_revenue_usd()) figure = profile_.annual_revenue_usd();
          break;
        case Threshold::METRIC_MONTHLY_REVENUE_USD:
          noun = "monthly revenue";
          field = "profile.monthly_revenue_usd";
          if (profile_.has_monthly_revenue_usd()) figure = profile_.monthly_revenue_usd();
          break;
        default:
          add(v1::VERDICT_UNKNOWN, "the threshold's metric is not recorded: read the clause and record it",
              absl::StrCat("license.", term, ".metric"));
          continue;
      }
      auto amount = [dollars](int64_t n) { return absl::StrCat(dollars ? "US$" : "", GroupDigits(n)); };
      const bool at_least = t.comparison() == Threshold::COMPARISON_AT_LEAST;
      if (!figure.has_value()) {
        add(v1::VERDICT_UNKNOWN,
            absl::StrCat("give the ", noun, " (affiliates included): the license's terms change at ",
                         at_least ? "" : "more than ", amount(t.limit()), at_least ? " or more" : ""),
            field);
        continue;
      }
      const std::string stated = absl::StrCat(noun, " ", amount(*figure));
      if (!PastThreshold(t, *figure)) {
        add(v1::VERDICT_ALLOWED, absl::StrCat(stated, at_least ? " < " : " <= ", amount(t.limit()),
                                              ": below the threshold; check again as the figure grows"));
        continue;
      }
      const std::string past = absl::StrCat(stated, at_least ? " >= " : " > ", amount(t.limit()), ": ");
      switch (t.consequence()) {
        case Threshold::CONSEQUENCE_REQUEST_LICENSE:
          add(v1::VERDICT_LICENSE_REQUIRED,
              absl::StrCat(past, "request a license from the licensor (granted at its discretion) before using it"));
          break;
        case Threshold::CONSEQUENCE_ENTERPRISE_LICENSE_REQUIRED:
          add(v1::VERDICT_LICENSE_REQUIRED, absl::StrCat(past, "obtain an enterprise license from the licensor"));
          break;
        case Threshold::CONSEQUENCE_ATTRIBUTION_REQUIRED:
          add(v1::VERDICT_ALLOWED_WITH_OBLIGATIONS, absl::StrCat(past, "display the attribution the clause requires"));
          break;
        default:
          add(v1::VERDICT_UNKNOWN,
              absl::StrCat(past, "what the license then requires is not recorded: read the clause and record it"),
              absl::StrCat("license.", term, ".consequence"));
      }
    }
  }

  // U5.
  void UseRestrictions() {
    const auto& r = license_.use_restrictions();
    if (r.acceptable_use_policy_uri().empty() && r.restricted_uses_size() == 0) return;
    bool policy = false;
    std::vector<std::string> named;
    for (const std::string& use : r.restricted_uses()) {
      if (use == "acceptable-use-policy" || use == "prohibited-use-policy") {
        policy = true;
      } else {
        named.push_back(use);
      }
    }
    std::vector<std::string> parts;
    if (!r.acceptable_use_policy_uri().empty()) {
      parts.push_back(absl::StrCat("comply with the acceptable use policy at ", r.acceptable_use_policy_uri()));
    } else if (policy) {
      parts.push_back(
          "comply with the use policy the license incorporates (the catalog does not record its address: see the "
          "license text)");
    }
    if (!named.empty()) parts.push_back(absl::StrCat("do not use it for: ", absl::StrJoin(named, ", ")));
    Add(v1::VERDICT_ALLOWED_WITH_OBLIGATIONS,
        r.acceptable_use_policy_uri().empty() ? "use_restrictions.restricted_uses"
                                              : "use_restrictions.acceptable_use_policy_uri",
        absl::StrJoin(parts, "; "));
  }

  // U6.
  void Attribution() {
    const std::string& text = license_.derivative_terms().attribution_text();
    if (text.empty()) return;
    Add(v1::VERDICT_ALLOWED_WITH_OBLIGATIONS, "derivative_terms.attribution_text",
        absl::StrCat("display ", Quoted(text),
                     " prominently with any model, product or service you distribute or offer that uses it"));
  }

  // U7.
  void NamePrefix() {
    const std::string& prefix = license_.derivative_terms().required_name_prefix();
    const std::string& name = profile_.distribute_as();
    if (prefix.empty() || name.empty()) return;
    if (NameBeginsWith(name, prefix)) {
      Add(v1::VERDICT_ALLOWED, "derivative_terms.required_name_prefix",
          absl::StrCat("the derivative's name ", Quoted(name), " begins with ", Quoted(prefix),
                       ", as the license requires"));
      return;
    }
    Add(v1::VERDICT_ALLOWED_WITH_OBLIGATIONS, "derivative_terms.required_name_prefix",
        absl::StrCat("name the distributed derivative so that it begins with ", Quoted(prefix), " (e.g. ",
                     Quoted(absl::StrCat(absl::StrReplaceAll(prefix, {{" ", "-"}}), "-", name)), "), not ",
                     Quoted(name)));
  }

  // U8.
  void Propagation() {
    if (!license_.derivative_terms().restrictions_propagate() || profile_.distribute_as().empty()) return;
    Add(v1::VERDICT_ALLOWED_WITH_OBLIGATIONS, "derivative_terms.restrictions_propagate",
        absl::StrCat("pass the license's use restrictions on to everyone who receives ",
                     Quoted(profile_.distribute_as()), ", as enforceable terms of its license"));
  }

  // U9.
  void OutputsTraining() {
    if (!license_.derivative_terms().outputs_may_not_train_models()) return;
    const Tri train = Flag(profile_.has_train_on_outputs(), profile_.train_on_outputs());
    const Tri distill = Flag(profile_.has_distillation(), profile_.distillation());
    const std::string term = "derivative_terms.outputs_may_not_train_models";
    if (train == Tri::kYes || distill == Tri::kYes) {
      Add(v1::VERDICT_PROHIBITED, term,
          "do not use its outputs to train or improve other models (distillation included): the license forbids it");
    } else if (train == Tri::kUnknown) {
      Add(v1::VERDICT_UNKNOWN, term, "say whether its outputs train or improve other models: the license forbids it",
          "profile.train_on_outputs");
    } else if (distill == Tri::kUnknown) {
      Add(v1::VERDICT_UNKNOWN, term,
          "say whether it is distilled into another model: the license forbids training other models on its outputs",
          "profile.distillation");
    }
  }

  // U10.
  void Distillation() {
    if (!license_.derivative_terms().distillation_is_derivative()) return;
    const std::string term = "derivative_terms.distillation_is_derivative";
    switch (Flag(profile_.has_distillation(), profile_.distillation())) {
      case Tri::kYes:
        Add(v1::VERDICT_ALLOWED_WITH_OBLIGATIONS, term,
            "the distilled model is a derivative under this license: its terms, use restrictions included, bind the "
            "distilled model and whoever receives it");
        break;
      case Tri::kUnknown:
        Add(v1::VERDICT_UNKNOWN, term,
            "say whether it is distilled into another model: the license counts the distilled model as a derivative",
            "profile.distillation");
        break;
      case Tri::kNo:
        break;
    }
  }

  // U11.
  void RemoteRestriction() {
    if (license_.remote_restriction_clause().empty()) return;
    Add(v1::VERDICT_ALLOWED_WITH_OBLIGATIONS, "remote_restriction_clause",
        "the licensor may restrict the use remotely: stop or change the use when it does")
        .set_clause(license_.remote_restriction_clause());
  }

  // U12: a territory where the license withholds rights. The profile's country is the licensee's (for a company its
  // principal place of business, for a person where they are domiciled); `EU` is any member state.
  void Territories() {
    using Restriction = License::TerritorialRestriction;
    for (int i = 0; i < license_.territorial_restrictions_size(); ++i) {
      const Restriction& r = license_.territorial_restrictions(i);
      const std::string term = absl::StrCat("territorial_restrictions[", i, "]");
      Tri applies = Tri::kYes;  // to this model
      if (r.applies_to() == Restriction::SCOPE_MULTIMODAL_MODELS) {
        applies = model_.modality() == Model::MODALITY_UNSPECIFIED  ? Tri::kUnknown
                  : model_.modality() == Model::MODALITY_MULTIMODAL ? Tri::kYes
                                                                    : Tri::kNo;
      }
      const std::string country = absl::AsciiStrToUpper(profile_.country());
      const Tri inside = country.empty() ? Tri::kUnknown : InTerritory(country, r.territory()) ? Tri::kYes : Tri::kNo;
      if (applies == Tri::kNo) continue;
      const std::string where = r.territory() == "EU" ? "the European Union" : r.territory();
      const std::string exempt =
          r.end_users_exempt() ? " (end users of a product or service that incorporates the model are not affected)"
                               : "";
      UsageFinding* finding = nullptr;
      if (inside == Tri::kNo) {
        finding = &Add(
            v1::VERDICT_ALLOWED, term,
            absl::StrCat("the license withholds rights from licensees in ", where, "; ", country, " is outside it"));
      } else if (inside == Tri::kUnknown) {
        finding = &Add(
            v1::VERDICT_UNKNOWN, term,
            absl::StrCat("give the licensee's country: the license grants no rights to licensees in ", where, exempt),
            "profile.country");
      } else if (applies == Tri::kUnknown) {
        finding = &Add(v1::VERDICT_UNKNOWN, term,
                       absl::StrCat("record the model's modality: the license withholds rights to multimodal models "
                                    "from licensees in ",
                                    where, exempt),
                       "model.modality");
      } else {
        finding = &Add(v1::VERDICT_PROHIBITED, term,
                       absl::StrCat("do not use it as a licensee in ", where, ": the license grants no rights there",
                                    exempt, "; a licensee elsewhere, or another license from the licensor, is needed"));
      }
      finding->set_clause(r.clause());
      if (!r.source().empty()) finding->set_source(r.source());
    }
  }

  // `country` (ISO 3166-1 alpha-2, uppercase) is `territory`, or a member state when the territory is `EU`.
  static bool InTerritory(const std::string& country, const std::string& territory) {
    static const std::set<std::string>* const kEu =
        new std::set<std::string>{"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
                                  "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"};
    return territory == "EU" ? kEu->count(country) > 0 : country == territory;
  }

  // Case-insensitive; a space, `-` or `_` matches any of the three ("Llama 3" prefixes "llama-3-chat").
  static bool NameBeginsWith(const std::string& name, const std::string& prefix) {
    auto fold = [](const std::string& s) {
      std::string out = absl::AsciiStrToLower(s);
      std::replace(out.begin(), out.end(), ' ', '-');
      std::replace(out.begin(), out.end(), '_', '-');
      return out;
    };
    return absl::StartsWith(fold(name), fold(prefix));
  }

  const Model& model_;
  const License& license_;
  const UsageProfile& profile_;
  std::vector<UsageFinding>& out_;
};

// M1, M2: whether the checked model's weights can serve the use.
void CheckAccess(const Model& model, const UsageProfile& profile, std::vector<UsageFinding>& out) {
  const v1::Hosting hosting = profile.hosting();
  auto add = [&](Verdict verdict, std::string action, std::string missing = "") {
    UsageFinding finding = Finding(verdict, model.name(), "weights.access", std::move(action));
    finding.set_source(SourceOf(model));
    finding.set_missing_fact(std::move(missing));
    out.push_back(std::move(finding));
  };
  switch (model.weights().access()) {
    case Weights::ACCESS_CLOSED:
      add(v1::VERDICT_PROHIBITED, "the model is not available in any form: it cannot be used");
      break;
    case Weights::ACCESS_API_ONLY:
      if (hosting == v1::HOSTING_SELF_HOSTED) {
        add(v1::VERDICT_PROHIBITED,
            "its weights are not released (API only): it cannot be self-hosted; use it through its provider's API");
      } else if (hosting == v1::HOSTING_UNSPECIFIED) {
        add(v1::VERDICT_UNKNOWN,
            "say how it is hosted: its weights are not released, so only its provider's API can serve it",
            "profile.hosting");
      }
      break;
    case Weights::ACCESS_UNSPECIFIED:
      if (hosting != v1::HOSTING_PROVIDER_API) {
        add(v1::VERDICT_UNKNOWN, "record the model's weights access: whether its weights can be self-hosted is unknown",
            "model.weights.access");
      }
      break;
    case Weights::ACCESS_GATED_MANUAL_APPROVAL:
      if (hosting != v1::HOSTING_PROVIDER_API) {
        std::string where = model.weights().download_uri();
        if (where.empty() && !model.huggingface_repo().empty()) {
          where = absl::StrCat("https://huggingface.co/", model.huggingface_repo());
        }
        if (where.empty()) where = model.homepage_uri();
        add(v1::VERDICT_ALLOWED_WITH_OBLIGATIONS,
            absl::StrCat("request access to the weights: the publisher approves each request by hand",
                         where.empty() ? "" : absl::StrCat(" (", where, ")")));
      }
      break;
    default:
      break;
  }
}

// U1, L3: the license a model names, or null with an UNKNOWN finding.
const License* ResolveLicense(const Model& model, const LicenseMap& licenses, bool ancestor,
                              std::vector<UsageFinding>& out) {
  const std::string& name = model.weights().license();
  if (name.empty()) {
    UsageFinding finding =
        Finding(v1::VERDICT_UNKNOWN, model.name(), "weights.license",
                ancestor ? "record this ancestor's weights license: its terms may bind the checked model"
                         : "record the model's weights license: the terms of its use are unknown");
    finding.set_missing_fact("model.weights.license");
    out.push_back(std::move(finding));
    return nullptr;
  }
  auto it = licenses.find(name);
  if (it != licenses.end()) return &it->second;
  UsageFinding finding =
      Finding(v1::VERDICT_UNKNOWN, model.name(), "weights.license",
              absl::StrCat("add ", name, " to the license catalog with its terms: they are unknown"));
  finding.set_license(name);
  finding.set_missing_fact("license");
  out.push_back(std::move(finding));
  return nullptr;
}

// L4: a chain that could not be followed to its root.
void CheckLineageEnd(const Model& model, const Lineage& lineage, std::vector<UsageFinding>& out) {
  if (lineage.end == Lineage::End::kRoot) return;
  const std::string& from = lineage.ancestors.empty() ? model.name() : lineage.ancestors.back().name();
  std::string action;
  switch (lineage.end) {
    case Lineage::End::kMissing:
      action = absl::StrCat("base_model names ", lineage.unresolved,
                            ", which is not in the registry: register it with its license, whose terms may bind the "
                            "checked model");
      break;
    case Lineage::End::kCycle:
      action = absl::StrCat("base_model names ", lineage.unresolved,
                            ", which is already on the chain (a cycle): fix the base_model links; the terms of the "
                            "original model are unknown");
      break;
    default:
      action = absl::StrCat("the base_model chain is longer than ", kMaxLineageDepth, " models: ", lineage.unresolved,
                            " and the models it derives from were not checked");
  }
  UsageFinding finding = Finding(v1::VERDICT_UNKNOWN, from, "base_model", std::move(action));
  finding.set_missing_fact("model.base_model");
  out.push_back(std::move(finding));
}

}  // namespace

Verdict MoreSevere(Verdict a, Verdict b) { return static_cast<int>(a) >= static_cast<int>(b) ? a : b; }

bool PastThreshold(const Threshold& threshold, int64_t figure) {
  return threshold.comparison() == Threshold::COMPARISON_AT_LEAST ? figure >= threshold.limit()
                                                                  : figure > threshold.limit();
}

bool TermsRecorded(const License& license) {
  const auto& d = license.derivative_terms();
  return IsOpenLicense(license) || license.commercial_use() != License::COMMERCIAL_USE_UNSPECIFIED ||
         license.category() == License::CATEGORY_PERMISSIVE || license.category() == License::CATEGORY_COPYLEFT ||
         license.category() == License::CATEGORY_OPEN_DATA || IsNonCommercial(license) || HasUsageThreshold(license) ||
         HasUseRestrictions(license) || !d.attribution_text().empty() || !d.required_name_prefix().empty() ||
         d.outputs_may_not_train_models() || d.distillation_is_derivative() ||
         !license.remote_restriction_clause().empty();
}

bool TermsPropagate(const License& license) {
  return license.derivative_terms().restrictions_propagate() || !IsOpenLicense(license);
}

UsageCheck CheckUsage(const Model& model, const Lineage& lineage, const LicenseMap& licenses,
                      const UsageProfile& profile) {
  std::vector<UsageFinding> out;
  CheckAccess(model, profile, out);
  // L1, L2: each distinct license once: the checked model's own, then every other one at the farthest ancestor
  // carrying it (where it entered the lineage), reported nearest first.
  const std::string& own = model.weights().license();
  if (const License* license = ResolveLicense(model, licenses, /*ancestor=*/false, out); license != nullptr) {
    LicenseCheck(model, *license, profile, out).Run();
  }
  std::map<std::string, size_t> entered;
  for (size_t i = lineage.ancestors.size(); i-- > 0;) {
    const std::string& name = lineage.ancestors[i].weights().license();
    if (!name.empty() && name != own) entered.emplace(name, i);
  }
  for (size_t i = 0; i < lineage.ancestors.size(); ++i) {
    const Model& ancestor = lineage.ancestors[i];
    const std::string& name = ancestor.weights().license();
    if (!name.empty() && (name == own || entered.at(name) != i)) continue;
    const License* license = ResolveLicense(ancestor, licenses, /*ancestor=*/true, out);
    if (license != nullptr && TermsPropagate(*license)) LicenseCheck(ancestor, *license, profile, out).Run();
  }
  CheckLineageEnd(model, lineage, out);

  std::stable_sort(out.begin(), out.end(), [](const UsageFinding& a, const UsageFinding& b) {
    return static_cast<int>(a.verdict()) > static_cast<int>(b.verdict());
  });
  UsageCheck check;
  for (const UsageFinding& finding : out) check.verdict = MoreSevere(check.verdict, finding.verdict());
  check.findings = std::move(out);
  return check;
}

}  // namespace modelreg
