// Request ids (AIP-155): the UUID check, normalization, generation, and the request fingerprint that tells a retry
// from another request reusing an id.
#include "server/domain/request_id.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "modelreg/v1/admin.pb.h"
#include "modelreg/v1/model_registry.pb.h"
#include "server/common/errors.h"
#include "server/domain/request_fingerprint.h"
#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(RequestIdTest, AcceptsCanonicalUuidsOfAnyVersionAndCase) {
  EXPECT_TRUE(IsValidRequestId("8c0b5e2a-3f4d-4e1b-9a57-2d9f0c6e7b13"));
  EXPECT_TRUE(IsValidRequestId("8C0B5E2A-3F4D-4E1B-9A57-2D9F0C6E7B13"));
  EXPECT_TRUE(IsValidRequestId("6ba7b810-9dad-11d1-80b4-00c04fd430c8"));  // version 1
  EXPECT_TRUE(IsValidRequestId("00000000-0000-0000-0000-000000000001"));
}

TEST(RequestIdTest, RejectsEverythingElse) {
  for (const char* id : {"", "8c0b5e2a3f4d4e1b9a572d9f0c6e7b13", "{8c0b5e2a-3f4d-4e1b-9a57-2d9f0c6e7b13}",
                         "8c0b5e2a-3f4d-4e1b-9a57-2d9f0c6e7b1", "8c0b5e2a-3f4d-4e1b-9a57-2d9f0c6e7b134",
                         "8c0b5e2a-3f4d-4e1b-9a57_2d9f0c6e7b13", "8c0b5e2a-3f4d-4e1b-9a57-2d9f0c6e7b1g",
                         "00000000-0000-0000-0000-000000000000", " 8c0b5e2a-3f4d-4e1b-9a57-2d9f0c6e7b1",
                         "8c0b5e2a-3f4d-4e1b-9a57-2d9f0c6e7b1\n"}) {
    EXPECT_FALSE(IsValidRequestId(id)) << id;
  }
  EXPECT_FALSE(IsValidRequestId(absl::string_view("8c0b5e2a-3f4d-4e1b-9a57-2d9f0c6e7b1\0", 36)));
}

TEST(RequestIdTest, NormalizesToLowercase) {
  EXPECT_EQ(NormalizeRequestId("8C0B5E2A-3F4D-4E1B-9A57-2D9F0C6E7B13"), "8c0b5e2a-3f4d-4e1b-9a57-2d9f0c6e7b13");
}

TEST(RequestIdTest, GeneratesDistinctVersion4Uuids) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    const std::string id = GenerateRequestId();
    ASSERT_TRUE(IsValidRequestId(id)) << id;
    ASSERT_EQ(id, NormalizeRequestId(id));
    EXPECT_EQ(id[14], '4') << id;                                          // version
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;  // RFC 4122 variant
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 10000u);
}

TEST(CheckRequestIdTest, NamesTheFieldAndNormalizes) {
  EXPECT_THAT(CheckRequestId("nope"), StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("request_id: `nope`")));
  EXPECT_EQ(FieldViolations(CheckRequestId("nope").status()).at(0).first, "request_id");
  auto id = CheckRequestId("8C0B5E2A-3F4D-4E1B-9A57-2D9F0C6E7B13");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "8c0b5e2a-3f4d-4e1b-9a57-2d9f0c6e7b13");
  // A long id is cut in the message.
  EXPECT_THAT(CheckRequestId(std::string(5000, 'a')),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::Not(HasSubstr(std::string(100, 'a')))));
}

v1::CreateModelRequest SampleCreate() {
  v1::CreateModelRequest request;
  request.set_parent("publishers/acme");
  request.set_model_id("chat-7b");
  request.mutable_model()->set_display_name("Chat 7B");
  (*request.mutable_model()->mutable_labels())["team"] = "nlp";
  (*request.mutable_model()->mutable_labels())["tier"] = "gold";
  return request;
}

TEST(RequestFingerprintTest, IgnoresTheRequestIdOnly) {
  v1::CreateModelRequest a = SampleCreate();
  v1::CreateModelRequest b = SampleCreate();
  a.set_request_id("8c0b5e2a-3f4d-4e1b-9a57-2d9f0c6e7b13");
  EXPECT_EQ(RequestIdOf(a), "8c0b5e2a-3f4d-4e1b-9a57-2d9f0c6e7b13");
  EXPECT_EQ(RequestIdOf(b), "");
  EXPECT_EQ(RequestFingerprint(a), RequestFingerprint(b));
  EXPECT_EQ(RequestFingerprint(a).size(), 32u);
  b.mutable_model()->set_display_name("Chat 7B!");
  EXPECT_NE(RequestFingerprint(a), RequestFingerprint(b));
  b = SampleCreate();
  b.set_model_id("chat-8b");
  EXPECT_NE(RequestFingerprint(a), RequestFingerprint(b));
}

TEST(RequestFingerprintTest, IsDeterministicForMaps) {
  v1::CreateModelRequest a = SampleCreate();
  v1::CreateModelRequest b = SampleCreate();
  b.mutable_model()->mutable_labels()->clear();
  (*b.mutable_model()->mutable_labels())["tier"] = "gold";
  (*b.mutable_model()->mutable_labels())["team"] = "nlp";
  EXPECT_EQ(RequestFingerprint(a), RequestFingerprint(b));
  // Parsed from the bytes a client sent: the same fingerprint.
  v1::CreateModelRequest parsed;
  ASSERT_TRUE(parsed.ParseFromString(a.SerializeAsString()));
  EXPECT_EQ(RequestFingerprint(parsed), RequestFingerprint(a));
}

TEST(RequestFingerprintTest, DiffersBetweenMethodsWithTheSameBytes) {
  // Both encode field 1 = "publishers/acme/models/x".
  v1::DeleteModelRequest remove;
  remove.set_name("publishers/acme/models/x");
  v1::UndeleteModelRequest restore;
  restore.set_name("publishers/acme/models/x");
  ASSERT_EQ(remove.SerializeAsString(), restore.SerializeAsString());
  EXPECT_NE(RequestFingerprint(remove), RequestFingerprint(restore));
}

TEST(RequestFingerprintTest, KeepsTheItemsOfABatch) {
  v1::BatchCreateModelsRequest a;
  a.set_parent("publishers/acme");
  *a.add_requests() = SampleCreate();
  v1::BatchCreateModelsRequest b = a;
  b.mutable_requests(0)->set_request_id("8c0b5e2a-3f4d-4e1b-9a57-2d9f0c6e7b13");
  EXPECT_NE(RequestFingerprint(a), RequestFingerprint(b));  // only the top-level request_id is not the request
  v1::RevokeTokenRequest revoke;
  revoke.set_name("tokens/abc");
  EXPECT_EQ(RequestIdOf(revoke), "");
}

}  // namespace
}  // namespace modelreg
