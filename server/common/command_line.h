// Command-line parsing shared by modelregd and modelreg_bench.
#pragma once

#include <string>
#include <vector>

namespace modelreg {

// absl::ParseCommandLine, accepting flags spelled with dashes as documented (`--data-dir`) as well as absl's
// underscores (`--data_dir`). Exits on a bad flag, as absl does. Returns the positional arguments, the program first.
std::vector<std::string> ParseCommandLineAcceptingDashes(int argc, char** argv);

}  // namespace modelreg
