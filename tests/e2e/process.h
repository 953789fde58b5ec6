// Runs the real binaries for end-to-end tests: one-shot commands with their output, and a background modelregd.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <string>
#include <vector>

namespace modelreg::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Directory of the running test binary; the project's binaries are built next to it (build/bin).
std::string BinDir();

// Runs `argv` (argv[0] a path), feeding nothing on stdin, and waits for it.
CommandResult RunCommand(const std::vector<std::string>& argv);

// modelregd in the background on the embedded default, in `data_dir`, on a free loopback port.
class ServerProcess {
 public:
  explicit ServerProcess(std::string data_dir) : data_dir_(std::move(data_dir)) {}
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess();

  // Starts modelregd and waits (up to 90 s) until it has written its port. False if it exited or timed out.
  bool Start(const std::vector<std::string>& extra_flags = {});
  // Sends `signal` (SIGTERM: a graceful shutdown), then waits (SIGKILL after 60 s); returns the exit code (-1 if it
  // was killed by a signal).
  int Stop(int signal = SIGTERM);
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::string& log_path() const { return log_path_; }

 private:
  std::string data_dir_;
  std::string log_path_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace modelreg::testing
