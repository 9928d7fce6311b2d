#include "load_monitor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ostream>
#include <stdexcept>
#include <thread>

#include "threshold.h"

namespace perfcheck::cli {
namespace {

// "exited with status 3", "killed by signal 9".
std::string HowItEnded(int status) {
  if (WIFEXITED(status)) {
    return "exited with status " + std::to_string(WEXITSTATUS(status));
  }
  if (WIFSIGNALED(status)) {
    return "killed by signal " + std::to_string(WTERMSIG(status));
  }
  return "ended";
}

// Starts argv with its stdout on our stderr. The exec error comes back
// through a close-on-exec pipe: nothing arrives when exec succeeded.
StatusOr<pid_t> Spawn(const std::vector<std::string>& argv) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return Status::Error(std::string("pipe: ") + std::strerror(errno));
  }
  std::vector<char*> args;
  for (const std::string& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return Status::Error(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::dup2(STDERR_FILENO, STDOUT_FILENO);
    ::execvp(args[0], args.data());
    const int e = errno;
    (void)!::write(fds[1], &e, sizeof e);
    ::_exit(127);
  }
  ::close(fds[1]);
  int e = 0;
  ssize_t n;
  do {
    n = ::read(fds[0], &e, sizeof e);
  } while (n < 0 && errno == EINTR);
  ::close(fds[0]);
  if (n == static_cast<ssize_t>(sizeof e)) {
    ::waitpid(pid, nullptr, 0);
    return Status::Error(std::strerror(e));
  }
  return pid;
}

}  // namespace

StatusOr<std::vector<std::string>> SplitCommand(const std::string& command) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < command.size(); ++i) {
    const char c = command[i];
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < command.size()) {
        word += command[++i];
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < command.size()) {
      word += command[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote != 0) {
    return Status::Error(std::string("unclosed ") + quote + " quote");
  }
  if (in_word) words.push_back(word);
  if (words.empty()) return Status::Error("empty command");
  return words;
}

LoadMonitor::~LoadMonitor() {
  if (stopped_) return;
  if (monitor_) monitor_->Stop();
  StopCommands(nullptr);
}

Status LoadMonitor::Start(const MonitorFlags& flags,
                          const std::function<bool()>& ready,
                          std::chrono::milliseconds wait, std::ostream& log) {
  StatusOr<Nanos> interval = ParseDuration(flags.interval);
  if (!interval.ok()) {
    return Status::Error("--monitor-interval: " + interval.status().message());
  }
  if (*interval < 10'000'000) {
    return Status::Error("--monitor-interval '" + flags.interval +
                         "': must be at least 10ms");
  }
  interval_ = std::chrono::nanoseconds(*interval);
  ProcessMonitorOptions options;
  options.interval = interval_;
  options.cgroup = flags.cgroup;
  for (std::int64_t pid : flags.pids) {
    if (pid <= 0 || pid > 0x7fffffff) {
      return Status::Error("--monitor-pid " + std::to_string(pid) +
                           ": not a process id");
    }
    options.pids.push_back(static_cast<pid_t>(pid));
  }
  // Checked before anything starts, so a typo starts no command.
  std::vector<std::vector<std::string>> argvs;
  for (const std::string& command : flags.commands) {
    StatusOr<std::vector<std::string>> argv = SplitCommand(command);
    if (!argv.ok()) {
      return Status::Error("--monitor-cmd '" + command +
                           "': " + argv.status().message());
    }
    argvs.push_back(*argv);
  }
  for (std::size_t i = 0; i < argvs.size(); ++i) {
    StatusOr<pid_t> pid = Spawn(argvs[i]);
    if (!pid.ok()) {
      return Status::Error("--monitor-cmd '" + flags.commands[i] +
                           "': cannot start " + argvs[i][0] + ": " +
                           pid.status().message());
    }
    children_.push_back(*pid);
    names_.push_back(flags.commands[i]);
    options.pids.push_back(*pid);
    log << "perfcheck load: started '" << flags.commands[i] << "' (pid " << *pid
        << ")\n";
  }
  // Alive means still running once the target answers, and for at least
  // kSettle: a server that exits at start (port taken, bad config) is
  // reported here, not as a failed run.
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + wait;
  while (!children_.empty()) {
    for (std::size_t i = 0; i < children_.size(); ++i) {
      int status = 0;
      if (::waitpid(children_[i], &status, WNOHANG) == children_[i]) {
        const std::string name = names_[i];
        children_.erase(children_.begin() + static_cast<std::ptrdiff_t>(i));
        names_.erase(names_.begin() + static_cast<std::ptrdiff_t>(i));
        return Status::Error("--monitor-cmd '" + name +
                             "': " + HowItEnded(status) + " before the run");
      }
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline || (now - started >= kSettle && ready())) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  monitor_ = std::make_unique<ProcessMonitor>(options);
  if (Status s = monitor_->Start(); !s.ok()) {
    monitor_.reset();
    return Status::Error("monitor: " + s.message());
  }
  return Status();
}

std::vector<ProcessSeries> LoadMonitor::Stop(std::ostream& log) {
  if (stopped_) return series_;
  stopped_ = true;
  if (!monitor_) return series_;
  monitor_->Stop();
  series_ = monitor_->Snapshot();
  for (ProcessSeries& p : series_) {
    for (pid_t child : children_) {
      if (p.pid == child) p.label = "cmd";
    }
    if (p.exited_ns) log << "perfcheck load: monitor: " << p.note << "\n";
  }
  StopCommands(&log);
  return series_;
}

void LoadMonitor::StopCommands(std::ostream* log) {
  for (std::size_t i = 0; i < children_.size(); ++i) {
    const pid_t pid = children_[i];
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      if (log) {
        *log << "perfcheck load: '" << names_[i] << "' (pid " << pid << ") "
             << HowItEnded(status) << " during the run\n";
      }
      continue;
    }
    ::kill(pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + kGrace;
    bool reaped = false;
    while (std::chrono::steady_clock::now() < deadline) {
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        reaped = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!reaped) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      if (log) {
        *log << "perfcheck load: '" << names_[i] << "' (pid " << pid
             << ") did not end within " << kGrace.count()
             << " s of SIGTERM; killed\n";
      }
    }
  }
  children_.clear();
  names_.clear();
}

}  // namespace perfcheck::cli
