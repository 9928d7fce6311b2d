// Fuzzes the load engine's HTTP/1.1 response parser with what a server may
// send on one connection (responses back to back, as pipelining leaves them).
//
// Properties, besides "no crash, no sanitizer report":
//   - Feed() never uses more bytes than it was given, and stops early only at
//     the end of a response or on an error;
//   - the outcome does not depend on how the bytes were split into reads: one
//     Feed() of everything and a Feed() per fuzz-chosen piece give the same
//     responses (status, keep-alive, captured body) and the same error;
//   - a secret the parser was told about never appears in an error message.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "http/response_parser.h"
#include "perfcheck/redaction.h"

namespace {

using perfcheck::fuzz::Violation;

using perfcheck::http::internal::ResponseParser;

constexpr std::string_view kCanary = "PWCANARY9";

struct Outcome {
  struct Response {
    int status = 0;
    bool keep_alive = false;
    bool truncated = false;
    std::string body;
    bool operator==(const Response&) const = default;
  };
  std::vector<Response> responses;
  std::string error;  // of the response that failed, if one did
  bool eof_ok = false;
  bool operator==(const Outcome&) const = default;
};

struct Config {
  bool head = false;
  bool capture = false;
  std::size_t capture_max = 0;
  std::uint64_t max_body = 0;
};

// Feeds `data` in pieces of the given sizes (the last piece takes the rest)
// and records every response, as the engine does: a completed response is
// taken and the parser reset for the next one on the same connection.
Outcome Run(const Config& config, std::string_view data,
            const std::vector<std::size_t>& pieces) {
  perfcheck::KnownSecrets secrets;
  secrets.Add(kCanary);
  ResponseParser parser;
  std::string body;
  auto reset = [&] {
    parser.Reset(config.head);
    parser.set_max_body_bytes(config.max_body);
    parser.set_secrets(&secrets);
    if (config.capture) parser.Capture(&body, config.capture_max);
  };
  reset();
  Outcome out;
  std::size_t pos = 0;
  std::size_t piece = 0;
  while (pos < data.size() && !parser.failed()) {
    std::size_t n = data.size() - pos;
    if (piece < pieces.size()) n = std::min(n, pieces[piece++]);
    std::string_view chunk = data.substr(pos, n);
    // One read may hold the end of a response and the start of the next.
    while (!chunk.empty()) {
      const std::size_t used = parser.Feed(chunk.data(), chunk.size());
      if (used > chunk.size()) Violation("Feed used more than given");
      if (used < chunk.size() && !parser.done() && !parser.failed()) {
        Violation("Feed stopped early without a result");
      }
      chunk.remove_prefix(used);
      pos += used;
      if (parser.failed()) break;
      if (parser.done()) {
        out.responses.push_back({parser.status(), parser.keep_alive(),
                                 parser.body_truncated(), body});
        reset();
      }
    }
  }
  if (parser.failed()) {
    out.error = parser.error();
    if (out.error.empty()) Violation("failed without a message");
  } else {
    out.eof_ok = parser.FinishOnEof();
    if (out.eof_ok && parser.started()) {
      out.responses.push_back({parser.status(), parser.keep_alive(),
                               parser.body_truncated(), body});
    }
  }
  return out;
}

std::string Describe(const Outcome& o) {
  std::string s;
  for (const auto& r : o.responses) {
    s += "response " + std::to_string(r.status) +
         (r.keep_alive ? " keep-alive" : " close") + " body " +
         std::to_string(r.body.size()) + (r.truncated ? " truncated" : "") +
         "\n";
  }
  s += "error '" + o.error + "' eof_ok " + (o.eof_ok ? "1" : "0");
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  Config config;
  config.head = in.ConsumeBool();
  config.capture = in.ConsumeBool();
  config.capture_max = in.ConsumeIntegralInRange<std::size_t>(0, 64);
  // Mostly the default limit; sometimes a small one to reach its checks.
  config.max_body = in.ConsumeBool()
                        ? in.ConsumeIntegralInRange<std::uint64_t>(0, 256)
                        : std::uint64_t{1} << 30;
  std::vector<std::size_t> pieces;
  const std::size_t piece_count = in.ConsumeIntegralInRange<std::size_t>(0, 16);
  for (std::size_t i = 0; i < piece_count; ++i) {
    pieces.push_back(in.ConsumeIntegralInRange<std::size_t>(1, 64));
  }
  const std::string bytes = in.ConsumeRemainingBytesAsString();

  const Outcome whole = Run(config, bytes, {});
  const Outcome split = Run(config, bytes, pieces);
  for (const Outcome* o : {&whole, &split}) {
    if (o->error.find(kCanary) != std::string::npos) {
      Violation("a known secret is quoted in an error", o->error);
    }
  }
  // A header block over the 64 KiB limit is refused only when it arrives in
  // pieces (one read holding all of it is parsed in place); inputs that big
  // are out of the comparison.
  if (bytes.size() < ResponseParser::kMaxHeaderBytes && !(whole == split)) {
    Violation(
        "the outcome depends on how the bytes were split",
        "one read:\n" + Describe(whole) + "\nin pieces:\n" + Describe(split));
  }
  return 0;
}
