#include "http/response_parser.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "perfcheck/percent_encoding.h"

namespace perfcheck::http::internal {
namespace {

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool IContains(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (IEquals(hay.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

std::string ResponseParser::Printable(std::string_view s) const {
  // Secrets go first: a server may echo a credential, and cutting the line
  // short before redacting would leave the credential's first bytes behind.
  constexpr std::size_t kMaxExcerpt = 40;
  const std::string redacted =
      secrets_ != nullptr
          ? secrets_->Redact(s.substr(0, ResponseParser::kMaxHeaderBytes))
          : std::string(s.substr(0, kMaxExcerpt));
  std::string out;
  for (char c : std::string_view(redacted).substr(0, kMaxExcerpt)) {
    out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  }
  return out;
}

void ResponseParser::Reset(bool head) {
  state_ = State::kHeaders;
  head_ = head;
  started_ = false;
  status_ = 0;
  keep_alive_ = true;
  remaining_ = 0;
  body_seen_ = 0;
  chunk_digits_ = 0;
  header_buf_.clear();
  body_ = nullptr;
  body_truncated_ = false;
  error_.clear();
}

void ResponseParser::Fail(std::string message) {
  state_ = State::kError;
  keep_alive_ = false;
  error_ = std::move(message);
}

void ResponseParser::TakeBody(const char* data, std::size_t n) {
  body_seen_ += n;
  if (body_seen_ > max_body_) {
    Fail("body larger than " + std::to_string(max_body_) + " bytes");
    return;
  }
  if (body_ == nullptr) return;
  const std::size_t room =
      body_max_ > body_->size() ? body_max_ - body_->size() : 0;
  if (n > room) body_truncated_ = true;
  body_->append(data, std::min(n, room));
}

bool ResponseParser::ParseHeaderBlock(std::string_view block) {
  // block ends with "\r\n\r\n".
  const std::size_t eol = block.find("\r\n");
  std::string_view line = block.substr(0, eol);
  // "HTTP/1.1 200 OK": version, one space, exactly three digits, then space or
  // end.
  if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." ||
      !std::isdigit(static_cast<unsigned char>(line[7])) || line[8] != ' ' ||
      !std::isdigit(static_cast<unsigned char>(line[9])) ||
      !std::isdigit(static_cast<unsigned char>(line[10])) ||
      !std::isdigit(static_cast<unsigned char>(line[11])) ||
      (line.size() > 12 && line[12] != ' ')) {
    Fail("malformed status line '" + Printable(line) + "'");
    return false;
  }
  const bool http10 = line[7] == '0';
  status_ = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  if (status_ < 100) {
    Fail("malformed status line '" + Printable(line) + "'");
    return false;
  }
  keep_alive_ = !http10;
  bool has_length = false, chunked = false;
  std::uint64_t length = 0;
  std::size_t pos = eol + 2;
  while (pos < block.size()) {
    const std::size_t end = block.find("\r\n", pos);
    line = block.substr(pos, end - pos);
    pos = end + 2;
    if (line.empty()) break;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      Fail("malformed header line '" + Printable(line) + "'");
      return false;
    }
    std::string_view name = line.substr(0, colon);
    std::string_view value = Trim(line.substr(colon + 1));
    if (IEquals(name, "content-length")) {
      if (value.empty() || value.size() > 18 ||
          !std::all_of(value.begin(), value.end(),
                       [](char c) { return c >= '0' && c <= '9'; })) {
        Fail("bad Content-Length '" + Printable(value) + "'");
        return false;
      }
      std::uint64_t v = 0;
      for (char c : value) v = v * 10 + static_cast<std::uint64_t>(c - '0');
      if (has_length && v != length) {
        Fail("conflicting Content-Length headers");
        return false;
      }
      has_length = true;
      length = v;
    } else if (IEquals(name, "transfer-encoding")) {
      chunked = IContains(value, "chunked");
    } else if (IEquals(name, "connection")) {
      if (IContains(value, "close")) keep_alive_ = false;
      if (IContains(value, "keep-alive")) keep_alive_ = true;
    }
  }
  if (status_ < 200) {
    // 1xx interim response: the real one follows.
    status_ = 0;
    state_ = State::kHeaders;
    return true;
  }
  if (head_ || status_ == 204 || status_ == 304) {
    state_ = State::kDone;
  } else if (chunked) {
    state_ = State::kChunkSize;
  } else if (has_length) {
    if (length > max_body_) {
      Fail("body of " + std::to_string(length) +
           " bytes exceeds the limit of " + std::to_string(max_body_));
      return false;
    }
    remaining_ = length;
    state_ = length == 0 ? State::kDone : State::kBody;
  } else {
    keep_alive_ = false;
    state_ = State::kUntilClose;
  }
  return true;
}

std::size_t ResponseParser::FeedTrailers(const char* data, std::size_t n) {
  // Trailer lines end at an empty line; header_buf_ holds the current line.
  for (std::size_t i = 0; i < n; ++i) {
    header_buf_ += data[i];
    if (header_buf_.size() > kMaxHeaderBytes) {
      Fail("trailers too large");
      return i + 1;
    }
    if (data[i] == '\n') {
      const bool empty = header_buf_ == "\r\n";
      header_buf_.clear();
      if (empty) {
        state_ = State::kDone;
        return i + 1;
      }
    }
  }
  return n;
}

std::size_t ResponseParser::Feed(const char* data, std::size_t n) {
  std::size_t used = 0;
  if (n > 0) started_ = true;
  while (used < n && state_ != State::kDone && state_ != State::kError) {
    const char* p = data + used;
    const std::size_t avail = n - used;
    switch (state_) {
      case State::kHeaders: {
        std::size_t block_end = 0;
        if (header_buf_.empty()) {
          const void* hit = memmem(p, avail, "\r\n\r\n", 4);
          if (hit != nullptr) {
            block_end = static_cast<const char*>(hit) - p + 4;
            used += block_end;
            if (!ParseHeaderBlock(std::string_view(p, block_end))) return used;
            break;
          }
          if (avail > kMaxHeaderBytes) {
            Fail("header block larger than 64 KiB");
            return n;
          }
          header_buf_.assign(p, avail);
          used = n;
          break;
        }
        const std::size_t old = header_buf_.size();
        header_buf_.append(p, avail);
        const std::size_t from = old >= 3 ? old - 3 : 0;
        const std::size_t hit = header_buf_.find("\r\n\r\n", from);
        if (hit == std::string::npos) {
          if (header_buf_.size() > kMaxHeaderBytes) {
            Fail("header block larger than 64 KiB");
            return n;
          }
          used = n;
          break;
        }
        block_end = hit + 4;
        used += block_end - old;
        std::string block = header_buf_.substr(0, block_end);
        header_buf_.clear();
        if (!ParseHeaderBlock(block)) return used;
        break;
      }
      case State::kBody: {
        const std::size_t take = static_cast<std::size_t>(
            std::min<std::uint64_t>(remaining_, avail));
        TakeBody(p, take);
        used += take;
        remaining_ -= take;
        if (state_ != State::kError && remaining_ == 0) state_ = State::kDone;
        break;
      }
      case State::kUntilClose:
        TakeBody(p, avail);
        used = n;
        break;
      case State::kChunkSize: {
        const int v = HexDigitValue(*p);
        if (v >= 0) {
          if (++chunk_digits_ > 15) {
            Fail("chunk size too long");
            return used + 1;
          }
          remaining_ = remaining_ * 16 + static_cast<std::uint64_t>(v);
        } else if (chunk_digits_ > 0 &&
                   (*p == ';' || *p == ' ' || *p == '\t')) {
          state_ = State::kChunkExt;
        } else if (chunk_digits_ > 0 && *p == '\r') {
          state_ = State::kChunkSizeLf;
        } else {
          Fail("bad chunk size line (byte '" +
               Printable(std::string_view(p, 1)) + "')");
          return used + 1;
        }
        ++used;
        break;
      }
      case State::kChunkExt:
        if (*p == '\r')
          state_ = State::kChunkSizeLf;
        else if (*p == '\n') {
          Fail("bad chunk extension");
          return used + 1;
        }
        ++used;
        break;
      case State::kChunkSizeLf:
        if (*p != '\n') {
          Fail("bad chunk size line (missing LF)");
          return used + 1;
        }
        ++used;
        chunk_digits_ = 0;
        if (remaining_ == 0) {
          state_ = State::kTrailers;
          header_buf_.clear();
        } else {
          state_ = State::kChunkData;
        }
        break;
      case State::kChunkData: {
        const std::size_t take = static_cast<std::size_t>(
            std::min<std::uint64_t>(remaining_, avail));
        TakeBody(p, take);
        used += take;
        remaining_ -= take;
        if (state_ != State::kError && remaining_ == 0)
          state_ = State::kChunkDataCr;
        break;
      }
      case State::kChunkDataCr:
        if (*p != '\r') {
          Fail("chunk data not followed by CRLF");
          return used + 1;
        }
        ++used;
        state_ = State::kChunkDataLf;
        break;
      case State::kChunkDataLf:
        if (*p != '\n') {
          Fail("chunk data not followed by CRLF");
          return used + 1;
        }
        ++used;
        state_ = State::kChunkSize;
        break;
      case State::kTrailers:
        used += FeedTrailers(p, avail);
        break;
      case State::kDone:
      case State::kError:
        break;
    }
  }
  return used;
}

bool ResponseParser::FinishOnEof() {
  if (state_ == State::kUntilClose) {
    state_ = State::kDone;
    return true;
  }
  return state_ == State::kDone;
}

}  // namespace perfcheck::http::internal
