#include "server/common/command_line.h"

#include <algorithm>
#include <cstddef>

#include "absl/flags/parse.h"

namespace modelreg {

std::vector<std::string> ParseCommandLineAcceptingDashes(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  for (size_t i = 1; i < args.size(); ++i) {
    std::string& arg = args[i];
    if (arg == "--") break;
    if (arg.rfind("--", 0) != 0) continue;
    const size_t end = std::min(arg.find('='), arg.size());
    std::replace(arg.begin() + 2, arg.begin() + static_cast<std::ptrdiff_t>(end), '-', '_');
  }
  std::vector<char*> pointers;
  for (std::string& arg : args) pointers.push_back(arg.data());
  std::vector<std::string> positional;
  for (const char* arg : absl::ParseCommandLine(argc, pointers.data())) positional.emplace_back(arg);
  return positional;
}

}  // namespace modelreg
