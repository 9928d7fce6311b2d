// Starts examples/erp_server as a child process on a loopback port the
// kernel picks, and ends it (by its PID) when destroyed. For the tests that
// run against it.
//
// Thread-safety: one object per test fixture; not shared between threads.
#ifndef PERFCHECK_EXAMPLES_ERP_SERVER_ERP_SERVER_PROCESS_H_
#define PERFCHECK_EXAMPLES_ERP_SERVER_ERP_SERVER_PROCESS_H_

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace erp_example {

class ErpServerProcess {
 public:
  // `binary`: the erp_server executable; `args`: its flags besides --port
  // and --port-file. Waits up to 30 s for the port (the server seeds its
  // database first); port() is 0 when it did not come up.
  ErpServerProcess(const std::string& binary, std::vector<std::string> args) {
    port_file_ = std::filesystem::temp_directory_path() /
                 ("erp_port_" + std::to_string(::getpid()) + "_" +
                  std::to_string(counter_++));
    std::filesystem::remove(port_file_);
    args.insert(args.begin(), {binary, "--port", "0", "--port-file",
                               port_file_.string()});
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(binary.c_str(), argv.data());
      ::_exit(127);
    }
    for (int i = 0; i < 600 && pid_ > 0; ++i) {
      if (std::filesystem::exists(port_file_)) {
        std::ifstream(port_file_) >> port_;
        break;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // it died
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ErpServerProcess(const ErpServerProcess&) = delete;
  ErpServerProcess& operator=(const ErpServerProcess&) = delete;

  // SIGTERM, and the exit code (0: a clean stop); -1 when it was not running.
  int Stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    std::filesystem::remove(port_file_);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  ~ErpServerProcess() { Stop(); }

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  static inline int counter_ = 0;
  pid_t pid_ = -1;
  int port_ = 0;
  std::filesystem::path port_file_;
};

}  // namespace erp_example

#endif  // PERFCHECK_EXAMPLES_ERP_SERVER_ERP_SERVER_PROCESS_H_
