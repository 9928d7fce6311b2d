// Reply: what a perfcheck::contract::MockServer stub answers with — status,
// headers, a string or JSON body, a fixed or random delay, a chunked body,
// or a fault (connection reset, close without a response, raw bytes).
//
//   Reply(200).Json(R"({"data": []})").Delay(50ms)
//   Reply(200).Chunked({"[1,", "2]"}, 100ms, "application/json")
//   Reply::Reset()
//
// Errors: a status outside [100, 999], invalid JSON, a negative delay or
// pause, or min > max throws std::invalid_argument.
// Thread-safety: a copyable value; const methods may be called from many
// threads.
#ifndef PERFCHECK_CONTRACT_REPLY_H_
#define PERFCHECK_CONTRACT_REPLY_H_

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "perfcheck/contract/recorded_request.h"

namespace perfcheck::contract {

// What a stub answers with. Builder-style; a copyable value.
class Reply {
 public:
  enum class Fault {
    kNone,
    kReset,                 // RST without a response (client: ECONNRESET)
    kCloseWithoutResponse,  // FIN without a response (client: EOF)
    kRawBytes,              // raw_bytes() written as-is, then FIN
  };

  explicit Reply(int status = 200);

  // Sends a TCP reset instead of any response.
  static Reply Reset();
  // Closes the connection without sending anything.
  static Reply CloseWithoutResponse();
  // Writes `bytes` verbatim (e.g. a status line and headers that promise more
  // body than follows) and closes the connection.
  static Reply RawBytes(std::string bytes);

  // Adds a response header (repeatable).
  Reply& Header(std::string name, std::string value);
  // Body with a content type.
  Reply& Body(std::string body, std::string content_type = "text/plain");
  // JSON body (validated: invalid JSON throws std::invalid_argument), with
  // content type application/json.
  Reply& Json(std::string_view json);
  // Durations are std::chrono::nanoseconds, as everywhere in perfcheck
  // (300ms, 1.5s and 250us all convert); the server sleeps with the
  // resolution of the system's timers.
  // Waits this long before answering (or before the fault).
  Reply& Delay(std::chrono::nanoseconds delay);
  // Waits a uniformly random time in [min, max] before answering.
  Reply& RandomDelay(std::chrono::nanoseconds min,
                     std::chrono::nanoseconds max);
  // Sends the body with Transfer-Encoding: chunked, one chunk per element,
  // pausing `pause` between chunks. Replaces Body().
  Reply& Chunked(std::vector<std::string> chunks,
                 std::chrono::nanoseconds pause = std::chrono::nanoseconds(0),
                 std::string content_type = "text/plain");

  int status() const { return status_; }
  Fault fault() const { return fault_; }
  const HeaderList& headers() const { return headers_; }
  const std::string& body() const { return body_; }
  const std::string& content_type() const { return content_type_; }
  const std::vector<std::string>& chunks() const { return chunks_; }
  bool chunked() const { return chunked_; }
  std::chrono::nanoseconds chunk_pause() const { return chunk_pause_; }
  std::chrono::nanoseconds min_delay() const { return min_delay_; }
  std::chrono::nanoseconds max_delay() const { return max_delay_; }
  const std::string& raw_bytes() const { return body_; }

 private:
  int status_;
  Fault fault_ = Fault::kNone;
  HeaderList headers_;
  std::string body_;
  std::string content_type_ = "text/plain";
  std::vector<std::string> chunks_;
  bool chunked_ = false;
  std::chrono::nanoseconds chunk_pause_{0};
  std::chrono::nanoseconds min_delay_{0};
  std::chrono::nanoseconds max_delay_{0};
};

}  // namespace perfcheck::contract

#endif  // PERFCHECK_CONTRACT_REPLY_H_
