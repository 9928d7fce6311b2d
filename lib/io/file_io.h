// Whole-file reads and atomic replacement, for perfcheck's own files (results,
// baselines, Google Benchmark runs and baselines).
//
// Internal to the perfcheck project, not installed: lib/, cli/, tests/ and
// fuzz/ include it as "io/file_io.h" (their targets have lib/ as a PRIVATE
// include directory). It is not public API because users never need it: the
// public entry points that read or write files (WriteResultFile, BaselineStore,
// the benchmark adapter) use it and report its errors. The CLI is built only
// from this source tree, so it may share it.
//
// Errors: a Status whose message names the file and the system error
// ("results/x.json: cannot open: No such file or directory"); nothing throws.
// Thread-safety: both functions may be called from any thread and process at
// once. Concurrent WriteFileAtomically() calls on one regular file never
// interleave: the file afterwards is one of the written contents, whole (the
// last rename wins), and a concurrent ReadFile() sees the old or the new
// content, never a mix.
#ifndef PERFCHECK_LIB_IO_FILE_IO_H_
#define PERFCHECK_LIB_IO_FILE_IO_H_

#include <filesystem>
#include <string>
#include <string_view>

#include "perfcheck/status.h"

namespace perfcheck::io {

// Reads a whole file. Errors name the file.
StatusOr<std::string> ReadFile(const std::filesystem::path& path);

// Replaces `path` with `content` atomically: a uniquely named temporary file in
// the same directory (so concurrent writers never collide) is written, fsynced
// and renamed over `path`. `path`'s directory must exist. On failure `path` is
// untouched and the temporary is removed. A symbolic link is written through
// (the file it names is replaced; the link stays); a path that exists and is
// not a regular file (/dev/stdout, a FIFO) is written in place; a directory is
// an error.
//
// Temporaries left by a writer that died between creating and renaming
// ("<path>.tmp-<pid>-..."; kill -9, a cancelled CI job) are removed by the
// next write of the same path once their process is gone and they are a
// minute old.
Status WriteFileAtomically(const std::filesystem::path& path,
                           std::string_view content);

}  // namespace perfcheck::io

#endif  // PERFCHECK_LIB_IO_FILE_IO_H_
