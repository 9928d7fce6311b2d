// Reply: what a mock server's stub answers with.
#include "perfcheck/contract/reply.h"

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>

namespace perfcheck::contract {

Reply::Reply(int status) : status_(status) {
  if (status < 100 || status > 999) {
    throw std::invalid_argument("Reply: status " + std::to_string(status) +
                                " is not a three-digit HTTP status");
  }
}

Reply Reply::Reset() {
  Reply r;
  r.fault_ = Fault::kReset;
  return r;
}

Reply Reply::CloseWithoutResponse() {
  Reply r;
  r.fault_ = Fault::kCloseWithoutResponse;
  return r;
}

Reply Reply::RawBytes(std::string bytes) {
  Reply r;
  r.fault_ = Fault::kRawBytes;
  r.body_ = std::move(bytes);
  return r;
}

Reply& Reply::Header(std::string name, std::string value) {
  if (name.empty() || name.find_first_of(":\r\n ") != std::string::npos ||
      value.find_first_of("\r\n") != std::string::npos) {
    throw std::invalid_argument(
        "Reply::Header: invalid header name or value "
        "for '" +
        name + "'");
  }
  headers_.emplace_back(std::move(name), std::move(value));
  return *this;
}

Reply& Reply::Body(std::string body, std::string content_type) {
  body_ = std::move(body);
  content_type_ = std::move(content_type);
  chunked_ = false;
  return *this;
}

Reply& Reply::Json(std::string_view json) {
  if (!nlohmann::json::accept(json)) {
    throw std::invalid_argument(
        "Reply::Json: not valid JSON (use Body(text, \"application/json\") "
        "to send invalid JSON on purpose)");
  }
  return Body(std::string(json), "application/json");
}

Reply& Reply::Delay(std::chrono::nanoseconds delay) {
  return RandomDelay(delay, delay);
}

Reply& Reply::RandomDelay(std::chrono::nanoseconds min,
                          std::chrono::nanoseconds max) {
  if (min.count() < 0 || max < min) {
    throw std::invalid_argument("Reply::RandomDelay: need 0 <= min <= max");
  }
  min_delay_ = min;
  max_delay_ = max;
  return *this;
}

Reply& Reply::Chunked(std::vector<std::string> chunks,
                      std::chrono::nanoseconds pause,
                      std::string content_type) {
  if (pause.count() < 0) {
    throw std::invalid_argument("Reply::Chunked: negative pause");
  }
  chunks_ = std::move(chunks);
  chunk_pause_ = pause;
  content_type_ = std::move(content_type);
  chunked_ = true;
  return *this;
}

}  // namespace perfcheck::contract
