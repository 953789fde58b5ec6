#include "server/domain/auth/certificate_bindings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace modelreg {
namespace {

using ::testing::HasSubstr;

constexpr char kSource[] = "--tls-client-bindings `b.yaml`";

TEST(CertificateBindingsTest, ParsesSubjectsPrincipalsAndBindings) {
  absl::StatusOr<CertificateBindings> table = CertificateBindings::Parse(R"(
# a comment
- subject: CN=hub-ingest,O=Example Hub
  principal: hub-ingest
  bindings: [editor=publishers/acme, viewer=licenses]
- subject: "CN=auditor,O=Example Hub"
  bindings:
    - viewer=*
)",
                                                                         kSource);
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->size(), 2u);
  const Principal* ingest = table->Find("CN=hub-ingest,O=Example Hub");
  ASSERT_NE(ingest, nullptr);
  EXPECT_EQ(ingest->name, "hub-ingest");
  ASSERT_EQ(ingest->bindings.size(), 2u);
  EXPECT_EQ(ingest->bindings[0].role, v1::ROLE_EDITOR);
  EXPECT_EQ(ingest->bindings[0].scope, "publishers/acme");
  EXPECT_EQ(ingest->bindings[1].role, v1::ROLE_VIEWER);
  EXPECT_EQ(ingest->bindings[1].scope, "licenses");
  EXPECT_TRUE(Authorize(*ingest, Action::kWrite, "publishers/acme/models/m").ok());
  EXPECT_FALSE(Authorize(*ingest, Action::kWrite, "publishers/other/models/m").ok());

  const Principal* auditor = table->Find("CN=auditor,O=Example Hub");
  ASSERT_NE(auditor, nullptr);
  EXPECT_EQ(auditor->name, "cert:CN=auditor,O=Example Hub");
  // Exact match: another order, case or spacing is another subject.
  EXPECT_EQ(table->Find("O=Example Hub,CN=auditor"), nullptr);
  EXPECT_EQ(table->Find("CN=Auditor,O=Example Hub"), nullptr);
  EXPECT_EQ(table->Find(""), nullptr);
}

TEST(CertificateBindingsTest, AnEmptyListBindsNothing) {
  absl::StatusOr<CertificateBindings> table = CertificateBindings::Parse("[]", kSource);
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->size(), 0u);
}

TEST(CertificateBindingsTest, MistakesAreInvalidArgumentNamingTheFileAndEntry) {
  struct Case {
    const char* yaml;
    const char* message;
  };
  const Case cases[] = {
      {"subject: CN=a", "expected a list"},
      {"- [a, b]", "[0]: expected a map"},
      {"- {subject: CN=a}", "`bindings` must list at least one"},
      {"- {bindings: [viewer=*]}", "`subject` is required"},
      {"- {subject: CN=a, bindings: [owner=*]}", "[0].bindings[0]: unknown role `owner`"},
      {"- {subject: CN=a, bindings: [viewer]}", "expected ROLE=SCOPE"},
      {"- {subject: CN=a, bindings: [viewer=publishers/-]}", "invalid scope `publishers/-`"},
      {"- {subject: CN=a, bindings: [viewer=models]}", "invalid scope `models`"},
      {"- {subject: CN=a, bindings: [viewer=*], role: admin}", "unexpected `role`"},
      {"- {subject: CN=a, bindings: [viewer=*]}\n- {subject: CN=a, bindings: [editor=*]}",
       "[1]: subject `CN=a` is listed twice"},
      {"- {subject: CN=a, bindings: viewer=*}", "unexpected `bindings`"},
      {"- {subject: [CN=a], bindings: [viewer=*]}", "unexpected `subject`"},
      {"- {subject: CN=a\n  bindings: [", "not YAML"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<CertificateBindings> table = CertificateBindings::Parse(c.yaml, kSource);
    ASSERT_FALSE(table.ok()) << c.yaml;
    EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument) << c.yaml;
    EXPECT_THAT(std::string(table.status().message()), HasSubstr(c.message)) << c.yaml;
    EXPECT_THAT(std::string(table.status().message()), HasSubstr(kSource)) << c.yaml;
  }
}

}  // namespace
}  // namespace modelreg
