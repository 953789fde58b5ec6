#include "server/domain/field_mask.h"

#include <gtest/gtest.h>

#include "modelreg/v1/model.pb.h"
#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::StatusIs;
using ::testing::HasSubstr;

const std::set<std::string> kImmutable = {"name", "etag", "openness"};

TEST(FieldMaskTest, TouchesOnlyNamedFields) {
  v1::Model stored;
  stored.set_display_name("old");
  stored.set_description("keep me");
  stored.mutable_weights()->set_access(v1::Weights::ACCESS_API_ONLY);
  stored.mutable_weights()->set_download_uri("https://example.com/keep");
  v1::Model patch;
  patch.set_display_name("new");
  patch.set_description("ignored");
  patch.mutable_weights()->set_access(v1::Weights::ACCESS_OPEN_DOWNLOAD);
  google::protobuf::FieldMask mask;
  mask.add_paths("display_name");
  mask.add_paths("weights.access");
  ASSERT_OK(ApplyFieldMask(mask, patch, kImmutable, &stored));
  EXPECT_EQ(stored.display_name(), "new");
  EXPECT_EQ(stored.description(), "keep me");
  EXPECT_EQ(stored.weights().access(), v1::Weights::ACCESS_OPEN_DOWNLOAD);
  EXPECT_EQ(stored.weights().download_uri(), "https://example.com/keep");
}

TEST(FieldMaskTest, RepeatedAndMapFieldsAreReplaced) {
  v1::Model stored;
  stored.add_sources("https://a");
  (*stored.mutable_labels())["a"] = "1";
  v1::Model patch;
  patch.add_sources("https://b");
  (*patch.mutable_labels())["b"] = "2";
  google::protobuf::FieldMask mask;
  mask.add_paths("sources");
  mask.add_paths("labels");
  ASSERT_OK(ApplyFieldMask(mask, patch, kImmutable, &stored));
  ASSERT_EQ(stored.sources_size(), 1);
  EXPECT_EQ(stored.sources(0), "https://b");
  EXPECT_EQ(stored.labels().size(), 1u);
  EXPECT_EQ(stored.labels().count("b"), 1u);
}

TEST(FieldMaskTest, StarReplacesAllButImmutable) {
  v1::Model stored;
  stored.set_name("keep");
  stored.set_description("old");
  v1::Model patch;
  patch.set_name("other");
  google::protobuf::FieldMask mask;
  mask.add_paths("*");
  ASSERT_OK(ApplyFieldMask(mask, patch, kImmutable, &stored));
  EXPECT_EQ(stored.name(), "keep");
  EXPECT_EQ(stored.description(), "");
}

TEST(FieldMaskTest, RejectsEmptyUnknownAndImmutablePaths) {
  v1::Model stored;
  v1::Model patch;
  google::protobuf::FieldMask mask;
  EXPECT_THAT(ApplyFieldMask(mask, patch, kImmutable, &stored),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("update_mask")));
  mask.add_paths("licence");
  EXPECT_THAT(ApplyFieldMask(mask, patch, kImmutable, &stored),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("licence")));
  mask.set_paths(0, "etag");
  EXPECT_THAT(ApplyFieldMask(mask, patch, kImmutable, &stored),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("cannot be updated")));
}

}  // namespace
}  // namespace modelreg
