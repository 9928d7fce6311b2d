// Incremental HTTP/1.1 response parser used by the load engine (internal).
//
// Feed() takes bytes as they arrive (any split) and stops at the end of one
// response, so pipelined or early extra bytes are left to the caller. It never
// allocates on the fast path: a header block that arrives in one read is parsed
// in place; only a block split across reads is copied into a reusable buffer.
// Bodies are skipped unless Capture() asks for them.
#ifndef PERFCHECK_LIB_HTTP_RESPONSE_PARSER_H_
#define PERFCHECK_LIB_HTTP_RESPONSE_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "perfcheck/redaction.h"

namespace perfcheck::http::internal {

class ResponseParser {
 public:
  static constexpr std::size_t kMaxHeaderBytes = 64 * 1024;

  // Prepares for the next response. `head` = the request was HEAD (no body).
  void Reset(bool head = false);
  // Keeps up to `max` body bytes in *body (cleared here); more sets
  // body_truncated(). nullptr: discard bodies.
  void Capture(std::string* body, std::size_t max) {
    body_ = body;
    body_max_ = max;
    if (body_) body_->clear();
  }
  void set_max_body_bytes(std::uint64_t max) { max_body_ = max; }
  // Secrets to cut out of the server bytes quoted in error(); nullptr: none.
  // Must outlive the parser's use.
  void set_secrets(const KnownSecrets* secrets) { secrets_ = secrets; }

  // Consumes bytes of the current response; returns how many were used (less
  // than `n` only when the response completed or failed).
  std::size_t Feed(const char* data, std::size_t n);
  // The peer closed the connection: completes a read-until-close body;
  // otherwise the response is incomplete and this returns false.
  bool FinishOnEof();

  bool done() const { return state_ == State::kDone; }
  bool failed() const { return state_ == State::kError; }
  // True when some bytes of a response were received.
  bool started() const { return started_; }
  const std::string& error() const { return error_; }
  int status() const { return status_; }
  // Whether the connection may be reused after this response.
  bool keep_alive() const { return keep_alive_; }
  bool body_truncated() const { return body_truncated_; }
  // Body bytes of the current response so far (after chunk decoding).
  std::uint64_t body_bytes() const { return body_seen_; }

 private:
  enum class State {
    kHeaders,
    kBody,
    kUntilClose,
    kChunkSize,
    kChunkExt,
    kChunkSizeLf,
    kChunkData,
    kChunkDataCr,
    kChunkDataLf,
    kTrailers,
    kDone,
    kError
  };

  bool ParseHeaderBlock(std::string_view block);
  void Fail(std::string message);
  // A printable excerpt of untrusted bytes for an error message.
  std::string Printable(std::string_view s) const;
  void TakeBody(const char* data, std::size_t n);
  std::size_t FeedTrailers(const char* data, std::size_t n);

  State state_ = State::kHeaders;
  bool head_ = false;
  bool started_ = false;
  int status_ = 0;
  bool keep_alive_ = true;
  std::uint64_t remaining_ = 0;  // body or chunk bytes still expected
  std::uint64_t body_seen_ = 0;
  std::uint64_t max_body_ = std::uint64_t{1} << 30;
  int chunk_digits_ = 0;
  std::string header_buf_;
  std::string* body_ = nullptr;
  std::size_t body_max_ = 0;
  bool body_truncated_ = false;
  std::string error_;
  const KnownSecrets* secrets_ = nullptr;
};

}  // namespace perfcheck::http::internal

#endif  // PERFCHECK_LIB_HTTP_RESPONSE_PARSER_H_
