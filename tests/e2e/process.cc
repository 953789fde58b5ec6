#include "tests/e2e/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

namespace modelreg::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

pid_t Spawn(const std::vector<std::string>& argv, const std::string& out_path, const std::string& err_path) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  const int null_in = open("/dev/null", O_RDONLY);
  const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  dup2(null_in, 0);
  dup2(out, 1);
  dup2(err, 2);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execv(args[0], args.data());
  _exit(127);
}

int WaitExit(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

std::string BinDir() {
  char path[4096];
  const ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  std::string exe(path, n > 0 ? static_cast<size_t>(n) : 0);
  return exe.substr(0, exe.rfind('/'));
}

CommandResult RunCommand(const std::vector<std::string>& argv) {
  char dir_template[] = "/tmp/modelreg-cmd.XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  const pid_t pid = Spawn(argv, dir + "/out", dir + "/err");
  CommandResult result;
  result.exit_code = WaitExit(pid);
  result.out = ReadFile(dir + "/out");
  result.err = ReadFile(dir + "/err");
  unlink((dir + "/out").c_str());
  unlink((dir + "/err").c_str());
  rmdir(dir.c_str());
  return result;
}

ServerProcess::~ServerProcess() { Stop(); }

bool ServerProcess::Start(const std::vector<std::string>& extra_flags) {
  const std::string port_file = data_dir_ + ".port";
  unlink(port_file.c_str());
  log_path_ = data_dir_ + ".log";
  std::vector<std::string> argv = {BinDir() + "/modelregd", "--listen=127.0.0.1:0", "--data-dir=" + data_dir_,
                                   "--port-file=" + port_file, "--pool-size=4"};
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  pid_ = Spawn(argv, data_dir_ + ".out", log_path_);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    const std::string port = ReadFile(port_file);
    if (!port.empty() && port.back() == '\n') {
      port_ = std::stoi(port);
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

int ServerProcess::Stop(int signal) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  for (int i = 0; i < 600; ++i) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(pid_, SIGKILL);
  WaitExit(pid_);
  pid_ = -1;
  return -1;
}

}  // namespace modelreg::testing
