#include "perfcheck/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace perfcheck {
namespace {

// The inherited environment with `overrides` set or replaced.
std::vector<std::string> ChildEnvironment(
    const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string key = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const auto& [k, v] : overrides) replaced = replaced || k == key;
    if (!replaced) env.push_back(entry);
  }
  for (const auto& [k, v] : overrides) env.push_back(k + "=" + v);
  return env;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

std::string ChildProcessEnd::Describe(std::chrono::milliseconds timeout) const {
  switch (how) {
    case How::kExited:
      return exit_code == 0 ? "ok"
                            : "exited with status " + std::to_string(exit_code);
    case How::kSignaled: {
      const char* name = ::strsignal(signal);
      return "killed by signal " + std::to_string(signal) +
             (name != nullptr ? std::string(" (") + name + ")" : "");
    }
    case How::kTimedOut: {
      const auto ms = timeout.count();
      return "killed after the timeout of " +
             (ms % 1000 == 0 ? std::to_string(ms / 1000) + " s"
                             : std::to_string(ms) + " ms");
    }
    case How::kCancelled:
      return "cancelled";
  }
  return "?";
}

StatusOr<ChildProcessEnd> RunChildProcess(const ChildProcessOptions& options) {
  if (options.argv.empty()) {
    throw std::invalid_argument("RunChildProcess: argv must not be empty");
  }
  const std::string& program = options.argv.front();
  std::vector<std::string> args = options.argv;
  std::vector<std::string> env = ChildEnvironment(options.environment);
  std::vector<char*> argv = Pointers(args);
  std::vector<char*> envp = Pointers(env);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  auto redirect = [&](int fd, const std::filesystem::path& path) {
    posix_spawn_file_actions_addopen(&actions, fd,
                                     path.empty() ? "/dev/null" : path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
  };
  redirect(STDOUT_FILENO, options.stdout_path);
  redirect(STDERR_FILENO, options.stderr_path);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null",
                                   O_RDONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group: a timeout ends the wrapper and what it started.
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);

  const auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, program.c_str(), &actions, &attr,
                               argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return Status::Error(program + ": cannot start: " + std::strerror(rc));
  }
  const auto deadline = start + options.timeout;
  ChildProcessEnd end;
  int status = 0;
  while (true) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) {
      const int e = errno;
      ::kill(-pid, SIGKILL);
      return Status::Error(program + ": waitpid failed: " + std::strerror(e));
    }
    const bool cancelled = options.cancel != nullptr && options.cancel->load();
    if (cancelled || std::chrono::steady_clock::now() > deadline) {
      ::kill(-pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      end.how = cancelled ? ChildProcessEnd::How::kCancelled
                          : ChildProcessEnd::How::kTimedOut;
      end.wall = std::chrono::steady_clock::now() - start;
      return end;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  end.wall = std::chrono::steady_clock::now() - start;
  if (WIFSIGNALED(status)) {
    end.how = ChildProcessEnd::How::kSignaled;
    end.signal = WTERMSIG(status);
  } else {
    end.how = ChildProcessEnd::How::kExited;
    end.exit_code = WEXITSTATUS(status);
  }
  return end;
}

std::string FileTail(const std::filesystem::path& path, std::size_t max_chars) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return "";
  // Only the end is read: a child may write gigabytes.
  const std::streamoff size = in.tellg();
  const std::streamoff keep = static_cast<std::streamoff>(max_chars) + 256;
  const bool cut = size > keep;
  in.seekg(cut ? size - keep : 0);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  std::string s = buffer.str();
  while (!s.empty() &&
         (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) {
    s.pop_back();
  }
  if (cut || s.size() > max_chars) {
    s = "..." + s.substr(s.size() > max_chars ? s.size() - max_chars : 0);
  }
  return s;
}

}  // namespace perfcheck
