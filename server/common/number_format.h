// Numbers for people: digits in groups of three, as license texts and reports write them.
#pragma once

#include <cstdint>
#include <string>

namespace modelreg {

// 700000000 -> "700,000,000"; -1500 -> "-1,500".
std::string GroupDigits(int64_t n);

}  // namespace modelreg
