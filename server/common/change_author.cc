#include "server/common/change_author.h"

#include <utility>

namespace modelreg {
namespace {

ChangeAuthor& Current() {
  thread_local ChangeAuthor author;
  return author;
}

}  // namespace

const ChangeAuthor& CurrentChangeAuthor() { return Current(); }

ScopedChangeAuthor::ScopedChangeAuthor(ChangeAuthor author) : previous_(std::move(Current())) {
  Current() = std::move(author);
}

ScopedChangeAuthor::~ScopedChangeAuthor() { Current() = std::move(previous_); }

}  // namespace modelreg
