#include "server/storage/embedded_postgres.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <thread>

#include "absl/strings/str_cat.h"
#include "server/storage/connection_pool.h"
#include "server/storage/migrator.h"
#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/modelreg-ep-XXXXXX";
    path_ = ::mkdtemp(pattern);
    // As root the cluster runs as `postgres`, which must be able to reach the data directory.
    ::chmod(path_.c_str(), 0711);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

EmbeddedPostgres::Options TestOptions() {
  EmbeddedPostgres::Options options;
  options.initdb_no_sync = true;
  return options;
}

int CountRows(const std::string& url) {
  pqxx::connection connection(url);
  pqxx::nontransaction tx(connection);
  return tx.exec1("SELECT count(*) FROM kept")[0].as<int>();
}

TEST(EmbeddedPostgresTest, StartStopRestartKeepsData) {
  TempDir dir;
  const std::string data_dir = dir.path() + "/data";
  {
    absl::StatusOr<std::unique_ptr<EmbeddedPostgres>> pg = EmbeddedPostgres::Start(data_dir, TestOptions());
    ASSERT_OK(pg);
    EXPECT_THAT((*pg)->url(), StartsWith("postgresql://postgres@/modelreg?host=%2Ftmp%2Fmodelreg-ep-"));
    EXPECT_EQ((*pg)->socket_dir(), data_dir);
    // Migrations run against it like any database.
    absl::StatusOr<std::unique_ptr<ConnectionPool>> pool = ConnectionPool::Create((*pg)->url(), 1);
    ASSERT_OK(pool);
    ASSERT_OK(ApplyMigrations(**pool));
    pqxx::connection connection((*pg)->url());
    pqxx::work tx(connection);
    tx.exec("CREATE TABLE kept (id int)");
    tx.exec("INSERT INTO kept VALUES (1), (2), (3)");
    tx.exec1("SELECT 1 WHERE current_setting('listen_addresses') = ''");
    // The write-heavy settings of modelreg.conf are in force.
    EXPECT_EQ(tx.exec1("SHOW max_wal_size")[0].as<std::string>(), "4GB");
    EXPECT_EQ(tx.exec1("SHOW wal_compression")[0].as<std::string>(), "lz4");
    tx.commit();
    pool->reset();
    EXPECT_OK((*pg)->Stop());
    EXPECT_OK((*pg)->Stop());  // idempotent
  }
  struct stat info;
  ASSERT_EQ(::stat((data_dir + "/postgres.log").c_str(), &info), 0);
  if (::geteuid() == 0) {
    // The cluster ran as an unprivileged user.
    ASSERT_EQ(::stat((data_dir + "/pgdata").c_str(), &info), 0);
    EXPECT_NE(info.st_uid, 0u);
  }

  std::string url;
  {
    absl::StatusOr<std::unique_ptr<EmbeddedPostgres>> pg = EmbeddedPostgres::Start(data_dir, TestOptions());
    ASSERT_OK(pg);
    url = (*pg)->url();
    EXPECT_EQ(CountRows(url), 3);
    absl::StatusOr<std::unique_ptr<ConnectionPool>> pool = ConnectionPool::Create(url, 1);
    ASSERT_OK(pool);
    EXPECT_OK(CheckSchemaVersion(**pool));

    // Crash: kill the postmaster hard, leaving a stale postmaster.pid.
    std::ifstream pid_file(data_dir + "/pgdata/postmaster.pid");
    pid_t postmaster = 0;
    pid_file >> postmaster;
    ASSERT_GT(postmaster, 0);
    ASSERT_EQ(::kill(postmaster, SIGKILL), 0);
    for (int i = 0; i < 100 && ::kill(postmaster, 0) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    // Destroying `pg` now tries a stop of a dead server: logged, not fatal.
  }
  {
    absl::StatusOr<std::unique_ptr<EmbeddedPostgres>> pg = EmbeddedPostgres::Start(data_dir, TestOptions());
    ASSERT_OK(pg);
    EXPECT_EQ(CountRows((*pg)->url()), 3);
  }
  // Stopped by the destructor: nothing answers any more.
  EXPECT_THROW(pqxx::connection connection(url), pqxx::broken_connection);
}

TEST(EmbeddedPostgresTest, LongDataDirUsesSocketUnderTmp) {
  TempDir dir;
  const std::string data_dir = dir.path() + "/" + std::string(60, 'd') + "/" + std::string(40, 'e');
  absl::StatusOr<std::unique_ptr<EmbeddedPostgres>> pg = EmbeddedPostgres::Start(data_dir, TestOptions());
  ASSERT_OK(pg);
  EXPECT_THAT((*pg)->socket_dir(), StartsWith("/tmp/modelreg-pg-"));
  pqxx::connection connection((*pg)->url());
  pqxx::nontransaction tx(connection);
  EXPECT_EQ(tx.exec1("SELECT current_database()")[0].as<std::string>(), "modelreg");
  const std::string socket_dir = (*pg)->socket_dir();
  ASSERT_OK((*pg)->Stop());
  std::filesystem::remove_all(socket_dir);
}

TEST(EmbeddedPostgresTest, UnusableDataDirIsAnError) {
  EXPECT_THAT(EmbeddedPostgres::Start("/proc/modelreg-cannot-exist", TestOptions()),
              testing::StatusIs(absl::StatusCode::kFailedPrecondition));
}

// One data directory, one owner: a second Start on a directory in use fails naming the holder's pid, or attaches
// to the running cluster without starting or stopping it.
TEST(EmbeddedPostgresTest, SecondStartOnADirectoryInUseFailsOrAttaches) {
  TempDir dir;
  const std::string data_dir = dir.path() + "/data";
  absl::StatusOr<std::unique_ptr<EmbeddedPostgres>> owner = EmbeddedPostgres::Start(data_dir, TestOptions());
  ASSERT_OK(owner);
  EXPECT_FALSE((*owner)->attached());
  std::ifstream lock_file(data_dir + "/modelregd.lock");
  long pid = 0;
  lock_file >> pid;
  EXPECT_EQ(pid, static_cast<long>(::getpid()));

  EXPECT_THAT(EmbeddedPostgres::Start(data_dir, TestOptions()),
              ::modelreg::testing::StatusIs(absl::StatusCode::kFailedPrecondition,
                                            HasSubstr(absl::StrCat("in use by modelregd pid ", ::getpid()))));
  {
    EmbeddedPostgres::Options attach = TestOptions();
    attach.attach_if_locked = true;
    absl::StatusOr<std::unique_ptr<EmbeddedPostgres>> attached = EmbeddedPostgres::Start(data_dir, attach);
    ASSERT_OK(attached);
    EXPECT_TRUE((*attached)->attached());
    EXPECT_EQ((*attached)->url(), (*owner)->url());
    pqxx::connection connection((*attached)->url());
    EXPECT_EQ(pqxx::nontransaction(connection).exec1("SELECT 1")[0].as<int>(), 1);
  }  // destroying the attached one leaves the cluster running
  pqxx::connection connection((*owner)->url());
  EXPECT_EQ(pqxx::nontransaction(connection).exec1("SELECT 1")[0].as<int>(), 1);
}

TEST(EmbeddedPostgresTest, ForeignNonEmptyDirectoryIsRefusedUntouched) {
  TempDir dir;
  const std::string data_dir = dir.path() + "/mine";
  ASSERT_EQ(::mkdir(data_dir.c_str(), 0755), 0);
  std::ofstream(data_dir + "/notes.txt") << "not a database\n";
  EXPECT_THAT(EmbeddedPostgres::Start(data_dir, TestOptions()),
              ::modelreg::testing::StatusIs(absl::StatusCode::kFailedPrecondition,
                                            HasSubstr("is not a modelreg data directory")));
  struct stat info {};
  ASSERT_EQ(::stat(data_dir.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0755U) << "mode unchanged";
  EXPECT_EQ(info.st_uid, ::geteuid()) << "owner unchanged";
  EXPECT_FALSE(std::filesystem::exists(data_dir + "/modelregd.lock"));
  EXPECT_FALSE(std::filesystem::exists(data_dir + "/pgdata"));
}

}  // namespace
}  // namespace modelreg
