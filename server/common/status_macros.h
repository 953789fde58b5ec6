// MODELREG_RETURN_IF_ERROR and MODELREG_ASSIGN_OR_RETURN keep absl::Status code flat.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define MODELREG_CONCAT_INNER(a, b) a##b
#define MODELREG_CONCAT(a, b) MODELREG_CONCAT_INNER(a, b)

// Returns the status from the enclosing function if `expr` is not OK. (__COUNTER__ names keep nested uses, such as
// one inside a lambda passed to another, from shadowing each other.)
#define MODELREG_RETURN_IF_ERROR(expr) \
  MODELREG_RETURN_IF_ERROR_IMPL(MODELREG_CONCAT(modelreg_status_, __COUNTER__), expr)
#define MODELREG_RETURN_IF_ERROR_IMPL(status, expr) \
  do {                                              \
    ::absl::Status status = (expr);                 \
    if (!status.ok()) {                             \
      return status;                                \
    }                                               \
  } while (false)

// `MODELREG_ASSIGN_OR_RETURN(auto x, Foo());` declares x from Foo()'s value, or returns its error status.
#define MODELREG_ASSIGN_OR_RETURN(lhs, expr) \
  MODELREG_ASSIGN_OR_RETURN_IMPL(MODELREG_CONCAT(modelreg_statusor_, __COUNTER__), lhs, expr)
#define MODELREG_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) {                                     \
    return tmp.status();                               \
  }                                                    \
  lhs = std::move(tmp).value()
