// A test's child process: started with fork/exec, its stdout on a pipe the
// test reads lines from (a server's "port <n>"), killed (SIGKILL, by its PID
// only) and reaped when the object goes. Every child here also ends on its
// own (--max-seconds), so a crashed test leaves nothing running for long.
#ifndef PERFCHECK_TESTS_MONITOR_SPAWNED_H_
#define PERFCHECK_TESTS_MONITOR_SPAWNED_H_

#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

namespace perfcheck::monitor_test {

class Spawned {
 public:
  explicit Spawned(std::vector<std::string> argv) {
    // Under AddressSanitizer (the CI's ASan phase builds these servers with
    // it too) freed memory waits in a quarantine of up to 256 MB, which
    // reads as a steady server's RSS growing by MB/s: the children run
    // without it. Built here, before fork: the child only calls execve.
    std::vector<std::string> env;
    std::string asan = "quarantine_size_mb=0";
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string var = *e;
      if (var.rfind("ASAN_OPTIONS=", 0) == 0) {
        asan = var.substr(13) + ":" + asan;
      } else {
        env.push_back(var);
      }
    }
    env.push_back("ASAN_OPTIONS=" + asan);
    std::vector<char*> envp;
    for (std::string& v : env) envp.push_back(v.data());
    envp.push_back(nullptr);
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    int fds[2];
    if (::pipe(fds) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fds[1], STDOUT_FILENO);
      ::close(fds[0]);
      ::close(fds[1]);
      ::execve(args[0], args.data(), envp.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    out_ = fds[0];
  }
  ~Spawned() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) ::close(out_);
  }
  Spawned(const Spawned&) = delete;
  Spawned& operator=(const Spawned&) = delete;

  pid_t pid() const { return pid_; }

  // The next line of the child's stdout without its newline; "" when none
  // came within `timeout` (a wide bound: only a broken child takes it).
  std::string ReadLine(
      std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string line;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char c;
      if (::read(out_, &c, 1) != 1) return "";
      if (c == '\n') return line;
      line += c;
    }
    return "";
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
};

}  // namespace perfcheck::monitor_test

#endif  // PERFCHECK_TESTS_MONITOR_SPAWNED_H_
