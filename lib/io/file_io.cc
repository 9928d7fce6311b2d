#include "io/file_io.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>

namespace perfcheck::io {
namespace {

std::string ErrnoText(int err) { return std::strerror(err); }

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// pid + per-process counter make the name unique among concurrent writers
// (other threads and processes); O_EXCL guards against a stale file of a dead
// process.
int OpenUniqueTemp(const std::filesystem::path& target,
                   std::filesystem::path* temp) {
  static std::atomic<std::uint64_t> counter{0};
  for (int attempt = 0; attempt < 100; ++attempt) {
    const auto tick =
        std::chrono::steady_clock::now().time_since_epoch().count();
    std::filesystem::path candidate = target;
    candidate += ".tmp-" + std::to_string(::getpid()) + "-" +
                 std::to_string(counter.fetch_add(1)) + "-" +
                 std::to_string(tick & 0xffffff);
    const int fd = ::open(candidate.c_str(),
                          O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
      *temp = std::move(candidate);
      return fd;
    }
    if (errno != EEXIST) return -1;
  }
  errno = EEXIST;
  return -1;
}

// A writer killed between creating its temporary file and the rename (kill
// -9, a cancelled CI job) leaves "<target>.tmp-<pid>-..." behind, in the
// committed baselines directory of all places. The next write of the same
// target removes those whose process is gone. The age check keeps the temp
// file of a writer on another host sharing the directory, whose pid means
// nothing here: it is being written to, so it is never a minute old.
void RemoveStaleTemps(const std::filesystem::path& target) {
  constexpr auto kMinAge = std::chrono::seconds(60);
  const std::string prefix = target.filename().string() + ".tmp-";
  std::filesystem::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) return;  // best effort: the write itself reports real problems
  const auto now = std::filesystem::file_time_type::clock::now();
  for (const auto& entry : it) {
    const std::string name = entry.path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    // "<pid>-<counter>-<tick>"; anything else is not ours.
    const std::string rest = name.substr(prefix.size());
    const std::size_t dash = rest.find('-');
    if (dash == 0 || dash == std::string::npos ||
        rest.find_first_not_of("0123456789") != dash || dash > 9) {
      continue;
    }
    const pid_t pid = static_cast<pid_t>(std::stol(rest.substr(0, dash)));
    if (pid <= 0 || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
    std::error_code stat_ec;
    if (!entry.is_regular_file(stat_ec) || stat_ec) continue;
    const auto modified = entry.last_write_time(stat_ec);
    if (stat_ec || now - modified < kMinAge) continue;
    std::filesystem::remove(entry.path(), stat_ec);
  }
}

}  // namespace

StatusOr<std::string> ReadFile(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Status::Error(path.string() + ": cannot open: " + ErrnoText(errno));
  }
  std::string text;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return Status::Error(path.string() + ": cannot read: " + ErrnoText(err));
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return text;
}

Status WriteFileAtomically(const std::filesystem::path& given,
                           std::string_view content) {
  // A symbolic link is written through: the file it names is replaced, and
  // the link stays a link. Something that is not a regular file (/dev/stdout,
  // a FIFO, a device) cannot be replaced by rename: it is written in place.
  std::filesystem::path path = given;
  std::error_code ec;
  // Followed by hand: a link to a file that does not exist yet (the first
  // write) must name that file, which canonical() cannot resolve.
  for (int hops = 0;
       std::filesystem::is_symlink(std::filesystem::symlink_status(path, ec));
       ++hops) {
    if (hops == 40) {
      return Status::Error(given.string() + ": too many levels of links");
    }
    const std::filesystem::path next = std::filesystem::read_symlink(path, ec);
    if (ec) {
      return Status::Error(given.string() +
                           ": cannot read the link: " + ec.message());
    }
    path = next.is_absolute() ? next : path.parent_path() / next;
  }
  const auto target = std::filesystem::status(path, ec);
  if (!ec && std::filesystem::exists(target) &&
      !std::filesystem::is_regular_file(target)) {
    if (std::filesystem::is_directory(target)) {
      return Status::Error(given.string() + ": is a directory");
    }
    const int out = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (out < 0) return Status::Error(given.string() + ": " + ErrnoText(errno));
    const bool written = WriteAll(out, content);
    const int err = errno;
    if (::close(out) != 0 || !written) {
      return Status::Error(given.string() + ": cannot write: " +
                           ErrnoText(written ? errno : err));
    }
    return Status();
  }
  RemoveStaleTemps(path);
  std::filesystem::path temp;
  const int fd = OpenUniqueTemp(path, &temp);
  if (fd < 0) {
    return Status::Error(path.string() +
                         ": cannot create temporary file: " + ErrnoText(errno));
  }
  // fsync before rename: otherwise a crash can leave the new name pointing at
  // an empty file on some file systems.
  if (!WriteAll(fd, content) || ::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    return Status::Error(path.string() + ": cannot write " + temp.string() +
                         ": " + ErrnoText(err));
  }
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return Status::Error(path.string() + ": cannot write " + temp.string() +
                         ": " + ErrnoText(err));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return Status::Error(path.string() + ": cannot replace: " + ErrnoText(err));
  }
  // Make the rename itself durable; a failure here loses nothing already
  // visible, so it is not reported.
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status();
}

}  // namespace perfcheck::io
