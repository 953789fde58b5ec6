#include "server/domain/history/change_horizon.h"

#include <gtest/gtest.h>

namespace modelreg {
namespace {

TEST(ChangeHorizonTest, ReleasesAnObservationOnlyOnceEveryOlderTransactionHasEnded) {
  ChangeHorizon horizon;
  horizon.Observe(/*allocated=*/10, /*fence=*/500);
  EXPECT_TRUE(horizon.pending());
  // Transaction 499 (which may hold a sequence <= 10) still runs: nothing is final beyond 0.
  EXPECT_EQ(horizon.Release(499), 0);
  // The fence itself is the oldest running id: still not above it.
  EXPECT_EQ(horizon.Release(500), 0);
  EXPECT_EQ(horizon.Release(501), 10);
  EXPECT_FALSE(horizon.pending());
}

TEST(ChangeHorizonTest, ReleasesObservationsInOrderAndNeverMovesBack) {
  ChangeHorizon horizon(5);
  horizon.Observe(10, 100);
  horizon.Observe(20, 200);
  horizon.Observe(30, 300);
  EXPECT_EQ(horizon.Release(150), 10);
  EXPECT_TRUE(horizon.pending());
  EXPECT_EQ(horizon.Release(120), 10);  // an older reading cannot move the horizon back
  EXPECT_EQ(horizon.Release(1000), 30);
  EXPECT_FALSE(horizon.pending());
}

TEST(ChangeHorizonTest, IgnoresObservationsThatAddNothing) {
  ChangeHorizon horizon(10);
  horizon.Observe(10, 100);  // nothing allocated beyond the horizon
  EXPECT_FALSE(horizon.pending());
  horizon.Observe(15, 200);
  horizon.Observe(15, 300);  // same allocation, later fence: would only delay the release
  EXPECT_EQ(horizon.Release(201), 15);
  EXPECT_FALSE(horizon.pending());
}

}  // namespace
}  // namespace modelreg
