#include "client/cli/history_output.h"

#include <gtest/gtest.h>

namespace modelreg::cli {
namespace {

v1::Revision ModelRevision(int64_t sequence, v1::ChangeKind change, const std::string& license) {
  v1::Revision r;
  r.set_resource("publishers/p/models/m");
  r.set_sequence(sequence);
  r.set_change(change);
  r.set_principal("alice");
  v1::Model* m = r.mutable_model();
  m->set_name("publishers/p/models/m");
  m->mutable_weights()->set_license(license);
  m->set_etag(std::to_string(sequence));  // moves with every change: never shown
  m->set_revision(sequence);
  return r;
}

TEST(DiffRecords, ListsChangedAddedAndRemovedFieldsByPath) {
  v1::Model before;
  before.mutable_weights()->set_license("licenses/mit");
  (*before.mutable_labels())["team"] = "a";
  v1::Model after = before;
  after.mutable_weights()->set_license("licenses/apache-2.0");
  after.mutable_labels()->clear();
  after.set_display_name("M");
  const std::vector<FieldChange> changes = DiffRecords(&before, &after);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].path, "display_name");
  EXPECT_EQ(changes[0].before, "");
  EXPECT_EQ(changes[0].after, "M");
  EXPECT_EQ(changes[1].path, "labels.team");
  EXPECT_EQ(changes[1].after, "");
  EXPECT_EQ(changes[2].path, "weights.license");
  EXPECT_EQ(changes[2].before, "licenses/mit");
  EXPECT_EQ(changes[2].after, "licenses/apache-2.0");
  EXPECT_TRUE(DiffRecords(&before, &before).empty());
}

TEST(HistoryDetail, ShowsEachRevisionAgainstThePreviousOne) {
  const std::string text = HistoryDetail({ModelRevision(7, v1::CHANGE_KIND_CREATE, "licenses/mit"),
                                          ModelRevision(9, v1::CHANGE_KIND_UPDATE, "licenses/apache-2.0"),
                                          ModelRevision(12, v1::CHANGE_KIND_REASSESS, "licenses/apache-2.0")});
  EXPECT_NE(text.find("#7  create"), std::string::npos) << text;
  EXPECT_NE(text.find("by alice"), std::string::npos) << text;
  EXPECT_NE(text.find("    weights.license: licenses/mit -> licenses/apache-2.0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("#12  reassess"), std::string::npos) << text;
  EXPECT_NE(text.find("(no field changed)"), std::string::npos) << text;
  EXPECT_EQ(text.find("etag"), std::string::npos) << text;
}

TEST(HistoryDetail, RevisionsWithoutARecordArePurged) {
  v1::Revision tombstone;
  tombstone.set_sequence(20);
  tombstone.set_change(v1::CHANGE_KIND_PURGE);
  tombstone.set_principal("root");
  const std::string text = HistoryDetail({ModelRevision(7, v1::CHANGE_KIND_CREATE, "licenses/mit"), tombstone,
                                          ModelRevision(21, v1::CHANGE_KIND_CREATE, "licenses/mit")});
  EXPECT_NE(text.find("#20  purge  revision 0"), std::string::npos) << text;
  EXPECT_NE(text.find("by root\n    (record purged)\n"), std::string::npos) << text;
  // The record created after the purge is shown whole, not against the one before it.
  const size_t recreated = text.find("#21  create");
  ASSERT_NE(recreated, std::string::npos) << text;
  EXPECT_NE(text.find("weights.license: (unset) -> licenses/mit", recreated), std::string::npos) << text;
}

}  // namespace
}  // namespace modelreg::cli
