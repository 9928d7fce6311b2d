// Internal to perfcheck::ab: a private temporary directory, removed with
// everything in it when this goes out of scope.
#ifndef PERFCHECK_LIB_AB_TEMP_DIR_H_
#define PERFCHECK_LIB_AB_TEMP_DIR_H_

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace perfcheck::ab_internal {

class TempDir {
 public:
  // Empty path() when it could not be created (errno says why).
  explicit TempDir(const std::string& tag) {
    std::error_code ec;
    const std::filesystem::path base = std::filesystem::temp_directory_path(ec);
    if (ec) return;
    std::string pattern = (base / ("perfcheck-" + tag + "-XXXXXX")).string();
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data()) != nullptr) path_ = buf.data();
  }
  ~TempDir() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace perfcheck::ab_internal

#endif  // PERFCHECK_LIB_AB_TEMP_DIR_H_
