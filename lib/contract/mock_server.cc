#include "perfcheck/contract/mock_server.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <thread>

#include "explain.h"
#include "tls.h"

namespace perfcheck::contract {

// ---------------------------------------------------------------- Reply ----

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

// ------------------------------------------------------------ the server ----

namespace {

constexpr std::size_t kClosestShown = 3;

bool IsContentType(std::string_view name) {
  constexpr std::string_view kName = "content-type";
  if (name.size() != kName.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(name[i])) != kName[i]) {
      return false;
    }
  }
  return true;
}

// The connection a handler runs on; set by ConnectionServer for the duration
// of a connection, since cpp-httplib handlers do not see their socket.
class ConnectionStream;
thread_local ConnectionStream* current_connection = nullptr;

bool WaitFor(int fd, short events, std::chrono::milliseconds timeout) {
  pollfd p{fd, events, 0};
  int rc;
  do {
    rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
  } while (rc < 0 && errno == EINTR);
  return rc > 0;
}

// httplib::Stream over a plain socket, or over TLS when `tls` is given.
// Writing can be switched off by a fault, so the response cpp-httplib
// composes after the handler never reaches the wire, and the connection then
// ends the way the fault says.
class ConnectionStream : public httplib::Stream {
 public:
  ConnectionStream(int fd, std::chrono::milliseconds read_timeout,
                   internal::TlsSession* tls)
      : fd_(fd), read_timeout_(read_timeout), tls_(tls) {}

  bool is_readable() const override {
    return HasBuffered() || WaitFor(fd_, POLLIN, read_timeout_);
  }
  // Request bytes that arrived already (pipelined, or decrypted by TLS)
  // and that a poll() on the socket would not see.
  bool HasBuffered() const {
    return pos_ < len_ || (tls_ != nullptr && tls_->HasPending());
  }
  bool is_writable() const override {
    return fault_ == Reply::Fault::kNone &&
           WaitFor(fd_, POLLOUT, std::chrono::milliseconds(5000));
  }
  ssize_t read(char* ptr, size_t size) override {
    // Buffered, because cpp-httplib reads request lines byte by byte.
    if (pos_ == len_) {
      ssize_t n;
      if (tls_ != nullptr) {
        n = tls_->Read(buffer_, sizeof(buffer_), read_timeout_);
      } else {
        if (!WaitFor(fd_, POLLIN, read_timeout_)) return -1;
        do {
          n = ::recv(fd_, buffer_, sizeof(buffer_), 0);
        } while (n < 0 && errno == EINTR);
      }
      if (n <= 0) return n;
      pos_ = 0;
      len_ = static_cast<std::size_t>(n);
    }
    std::size_t n = std::min(size, len_ - pos_);
    std::copy_n(buffer_ + pos_, n, ptr);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, size_t size) override {
    if (fault_ != Reply::Fault::kNone) return -1;
    return SendAll(ptr, size) ? static_cast<ssize_t>(size) : -1;
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    Address(::getpeername, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    Address(::getsockname, ip, port);
  }
  socket_t socket() const override { return fd_; }

  void SetFault(Reply::Fault fault, std::string raw) {
    fault_ = fault;
    raw_ = std::move(raw);
  }
  Reply::Fault fault() const { return fault_; }

  // Ends the connection (and closes the socket) as the fault says. Over TLS
  // a reset is still a bare RST, raw bytes travel inside TLS records, and
  // every other ending sends close_notify before the FIN.
  void Finish() {
    switch (fault_) {
      case Reply::Fault::kReset: {
        // Closing with a zero linger time sends RST instead of FIN.
        linger l{1, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
        break;
      }
      case Reply::Fault::kRawBytes:
        SendAll(raw_.data(), raw_.size());
        if (tls_ != nullptr) tls_->SendCloseNotify();
        ::shutdown(fd_, SHUT_RDWR);
        break;
      default:
        if (tls_ != nullptr) tls_->SendCloseNotify();
        ::shutdown(fd_, SHUT_RDWR);
        break;
    }
    ::close(fd_);
  }

 private:
  bool SendAll(const char* p, std::size_t n) {
    if (tls_ != nullptr) {
      return tls_->WriteAll(p, n, std::chrono::milliseconds(5000));
    }
    while (n > 0) {
      if (!WaitFor(fd_, POLLOUT, std::chrono::milliseconds(5000))) return false;
      ssize_t w = ::send(fd_, p, n, MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return false;
      p += w;
      n -= static_cast<std::size_t>(w);
    }
    return true;
  }
  template <class GetName>
  void Address(GetName get, std::string& ip, int& port) const {
    sockaddr_in addr{};
    socklen_t len = sizeof(addr);
    if (get(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      char text[INET_ADDRSTRLEN] = {};
      ::inet_ntop(AF_INET, &addr.sin_addr, text, sizeof(text));
      ip = text;
      port = ntohs(addr.sin_port);
    }
  }

  int fd_;
  std::chrono::milliseconds read_timeout_;
  internal::TlsSession* tls_;  // null for plain HTTP
  Reply::Fault fault_ = Reply::Fault::kNone;
  std::string raw_;
  char buffer_[4096];
  std::size_t pos_ = 0;
  std::size_t len_ = 0;
};

// cpp-httplib parses requests and writes responses; this subclass owns the
// connection loop so a handler can end its connection with a fault (reset,
// close, raw bytes), which cpp-httplib's own loop cannot do. It also does the
// TLS itself (instead of httplib::SSLServer, whose loop is just as closed),
// so every fault works over https too.
class ConnectionServer : public httplib::Server {
 public:
  ConnectionServer(std::chrono::milliseconds read_timeout,
                   const std::atomic<bool>& stopping,
                   const internal::SelfSignedTls* tls)
      : read_timeout_(read_timeout), stopping_(stopping), tls_(tls) {}

 private:
  bool process_and_close_socket(socket_t sock) override {
    // cpp-httplib writes a response's headers and body separately; with
    // Nagle the second write waits for the client's delayed ACK (~40 ms on
    // every keep-alive response).
    const int one = 1;
    ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    std::optional<internal::TlsSession> session;
    if (tls_ != nullptr) session.emplace(*tls_, sock);
    ConnectionStream stream(sock, read_timeout_, session ? &*session : nullptr);
    if (session && !session->Accept(read_timeout_, stopping_)) {
      // A client that rejects the certificate, or does not speak TLS.
      stream.Finish();
      return false;
    }
    current_connection = &stream;
    bool ok = false;
    for (std::size_t left = keep_alive_max_count_; left > 0; --left) {
      if (!stream.HasBuffered() && !WaitForNextRequest(sock)) break;
      bool connection_closed = false;
      ok = process_request(stream, left == 1, connection_closed, nullptr);
      if (!ok || connection_closed || stream.fault() != Reply::Fault::kNone) {
        break;
      }
    }
    current_connection = nullptr;
    stream.Finish();
    return ok;
  }

  // Keep-alive wait in short slices, so Stop() is not held up by idle
  // connections.
  bool WaitForNextRequest(int sock) {
    auto deadline = std::chrono::steady_clock::now() + read_timeout_;
    while (!stopping_ && svr_sock_ != INVALID_SOCKET) {
      if (WaitFor(sock, POLLIN, std::chrono::milliseconds(50))) return true;
      if (std::chrono::steady_clock::now() >= deadline) return false;
    }
    return false;
  }

  std::chrono::milliseconds read_timeout_;
  const std::atomic<bool>& stopping_;
  const internal::SelfSignedTls* tls_;  // null for plain HTTP
};

struct StubEntry {
  RequestMatcher matcher;
  std::vector<Reply> replies;
  StubOptions options;
  std::size_t hits = 0;
};

}  // namespace

class MockServer::Impl {
 public:
  explicit Impl(MockServerOptions options)
      : options_(std::move(options)),
        tls_(options_.tls ? std::make_unique<internal::SelfSignedTls>()
                          : nullptr),
        // poll() counts whole milliseconds: round up, so that a timeout
        // under 1 ms still waits instead of polling once.
        server_(
            std::chrono::ceil<std::chrono::milliseconds>(options_.read_timeout),
            stopping_, tls_.get()),
        rng_(std::random_device{}()) {
    secrets_.extra = options_.secret_headers;
    if (options_.threads == 0) {
      throw std::invalid_argument("MockServerOptions::threads must be > 0");
    }
    std::size_t threads = options_.threads;
    server_.new_task_queue = [threads] {
      return new httplib::ThreadPool(threads);
    };
    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      Handle(req, res);
    };
    // Every path, including ones with decoded newlines.
    const std::string any = R"([\s\S]*)";
    server_.Get(any, handler);
    server_.Post(any, handler);
    server_.Put(any, handler);
    server_.Patch(any, handler);
    server_.Delete(any, handler);
    server_.Options(any, handler);

    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) {
      throw std::runtime_error("MockServer: cannot bind a port on 127.0.0.1");
    }
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // The socket already listens (connections queue in the backlog); waiting
    // for the accept loop also makes an immediate Stop() safe.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!server_.is_running()) {
      if (std::chrono::steady_clock::now() > deadline) {
        Stop();
        throw std::runtime_error("MockServer: server did not start");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  ~Impl() { Stop(); }

  void Stop() {
    std::lock_guard<std::mutex> stop_lock(stop_mu_);
    if (!thread_.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    // stop() acts only once the accept loop runs; the constructor waited
    // for that.
    server_.stop();
    thread_.join();
  }

  std::size_t AddStub(RequestMatcher when, std::vector<Reply> replies,
                      StubOptions options) {
    if (replies.empty()) {
      throw std::invalid_argument("MockServer::Stub: no replies");
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (options.name.empty()) {
      options.name = "stub #" + std::to_string(stubs_.size());
    }
    stubs_.push_back({std::move(when), std::move(replies), std::move(options)});
    return stubs_.size() - 1;
  }

  std::size_t StubHits(std::size_t index) const {
    std::lock_guard<std::mutex> lock(mu_);
    if (index >= stubs_.size()) {
      throw std::invalid_argument("MockServer::StubHits: no stub #" +
                                  std::to_string(index));
    }
    return stubs_[index].hits;
  }

  void ClearStubs() {
    std::lock_guard<std::mutex> lock(mu_);
    stubs_.clear();
  }

  std::vector<RecordedRequest> Requests(bool only_unmatched) const {
    std::lock_guard<std::mutex> lock(mu_);
    if (!only_unmatched) return requests_;
    std::vector<RecordedRequest> out;
    for (const auto& r : requests_) {
      if (r.stub.empty()) out.push_back(r);
    }
    return out;
  }

  void ClearRequests() {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.clear();
  }

  int port() const { return port_; }
  const SecretHeaders& secrets() const { return secrets_; }
  const internal::SelfSignedTls* tls() const { return tls_.get(); }

  std::string Explain(const RecordedRequest& rec) const {
    std::lock_guard<std::mutex> lock(mu_);
    return NotFoundBody(rec);
  }

 private:
  void Handle(const httplib::Request& req, httplib::Response& res) {
    RecordedRequest rec;
    rec.method = req.method;
    rec.target = req.target;
    SplitTarget(rec);
    for (const auto& [name, value] : req.headers) {
      // Added by cpp-httplib itself, not sent by the client.
      if (name == "REMOTE_ADDR" || name == "REMOTE_PORT" ||
          name == "LOCAL_ADDR" || name == "LOCAL_PORT") {
        continue;
      }
      rec.headers.emplace_back(name, value);
    }
    rec.body = req.body;
    rec.received_at = std::chrono::steady_clock::now();

    std::optional<Reply> reply;
    std::string not_found;
    std::chrono::nanoseconds delay{0};
    {
      std::lock_guard<std::mutex> lock(mu_);
      rec.sequence = next_sequence_++;
      StubEntry* chosen = nullptr;
      for (StubEntry& s : stubs_) {
        if (s.options.times && s.hits >= *s.options.times) continue;
        if (!s.matcher.Matches(rec)) continue;
        if (!chosen || s.options.priority > chosen->options.priority) {
          chosen = &s;
        }
      }
      if (chosen) {
        reply =
            chosen->replies[std::min(chosen->hits, chosen->replies.size() - 1)];
        ++chosen->hits;
        rec.stub = chosen->options.name;
        std::uniform_int_distribution<std::int64_t> pick(
            reply->min_delay().count(), reply->max_delay().count());
        delay = std::chrono::nanoseconds(pick(rng_));
      } else {
        not_found = NotFoundBody(rec);
      }
      requests_.push_back(rec);
    }

    if (!reply) {
      res.status = 404;
      res.set_content(not_found, "text/plain; charset=utf-8");
      return;
    }
    if (delay.count() > 0 && !Sleep(delay)) {
      // Stopping: end the connection quickly instead of answering late.
      current_connection->SetFault(Reply::Fault::kCloseWithoutResponse, "");
      return;
    }
    if (reply->fault() != Reply::Fault::kNone) {
      current_connection->SetFault(reply->fault(), reply->raw_bytes());
      return;
    }
    res.status = reply->status();
    std::string content_type = reply->content_type();
    for (const auto& [name, value] : reply->headers()) {
      if (IsContentType(name)) {
        content_type = value;
      } else {
        res.headers.emplace(name, value);
      }
    }
    if (reply->chunked()) {
      auto chunks = std::make_shared<std::vector<std::string>>(reply->chunks());
      auto next = std::make_shared<std::size_t>(0);
      auto pause = reply->chunk_pause();
      res.set_chunked_content_provider(
          content_type,
          [this, chunks, next, pause](std::size_t, httplib::DataSink& sink) {
            if (*next > 0 && pause.count() > 0 && !Sleep(pause)) return false;
            if (*next < chunks->size()) {
              const std::string& c = (*chunks)[(*next)++];
              // An empty chunk would end the chunked body early.
              if (!c.empty() && !sink.write(c.data(), c.size())) return false;
            }
            if (*next >= chunks->size()) sink.done();
            return true;
          });
    } else {
      res.set_content(reply->body(), content_type);
    }
  }

  // Waits, returning false early when the server stops.
  bool Sleep(std::chrono::nanoseconds d) {
    std::unique_lock<std::mutex> lock(mu_);
    return !wake_.wait_for(lock, d, [this] { return stopping_.load(); });
  }

  // Requires mu_.
  std::string NotFoundBody(const RecordedRequest& rec) const {
    std::string out =
        "perfcheck MockServer: no stub matched this request:\n  " +
        DescribeRequest(rec, secrets_);
    if (!rec.stub.empty()) {
      out = "perfcheck MockServer: answered by " + rec.stub + ":\n  " +
            DescribeRequest(rec, secrets_);
    }
    if (stubs_.empty()) return out + "No stubs are defined.\n";
    std::vector<std::vector<Mismatch>> why;
    for (const StubEntry& s : stubs_)
      why.push_back(s.matcher.Explain(rec, secrets_));
    out += "Closest stubs:\n";
    for (std::size_t i : internal::Closest(why, kClosestShown)) {
      const StubEntry& s = stubs_[i];
      out += "  " + s.options.name + " (" + s.matcher.Describe(secrets_) + ")";
      if (why[i].empty() && s.options.times) {
        out += ": used up (times = " + std::to_string(*s.options.times) + ")";
      }
      out += "\n" + internal::FormatMismatches(why[i], "    ");
    }
    return out;
  }

  MockServerOptions options_;
  SecretHeaders secrets_;
  std::atomic<bool> stopping_{false};
  std::unique_ptr<internal::SelfSignedTls> tls_;  // set when options_.tls
  ConnectionServer server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex stop_mu_;
  mutable std::mutex mu_;  // guards everything below
  std::condition_variable wake_;
  std::vector<StubEntry> stubs_;
  std::vector<RecordedRequest> requests_;
  std::size_t next_sequence_ = 0;
  std::mt19937_64 rng_;
};

MockServer::MockServer() : MockServer(MockServerOptions{}) {}
MockServer::MockServer(MockServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
MockServer::~MockServer() = default;

std::string MockServer::url() const {
  return (impl_->tls() ? "https://127.0.0.1:" : "http://127.0.0.1:") +
         std::to_string(impl_->port());
}

std::string MockServer::CertificatePem() const {
  return impl_->tls() ? impl_->tls()->certificate_pem() : std::string();
}

Status MockServer::WriteCertificatePem(const std::string& path) const {
  if (!impl_->tls()) {
    throw std::invalid_argument(
        "MockServer::WriteCertificatePem: the server was started without "
        "MockServerOptions::tls");
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << impl_->tls()->certificate_pem();
  out.close();
  if (!out) {
    return Status::Error("MockServer::WriteCertificatePem: cannot write '" +
                         path + "'");
  }
  return Status();
}
int MockServer::port() const { return impl_->port(); }
void MockServer::Stop() { impl_->Stop(); }

std::size_t MockServer::Stub(RequestMatcher when, Reply reply,
                             StubOptions options) {
  return impl_->AddStub(std::move(when), {std::move(reply)},
                        std::move(options));
}
std::size_t MockServer::Stub(RequestMatcher when, std::vector<Reply> replies,
                             StubOptions options) {
  return impl_->AddStub(std::move(when), std::move(replies),
                        std::move(options));
}
std::size_t MockServer::StubHits(std::size_t index) const {
  return impl_->StubHits(index);
}
void MockServer::ClearStubs() { impl_->ClearStubs(); }
std::vector<RecordedRequest> MockServer::requests() const {
  return impl_->Requests(false);
}
std::vector<RecordedRequest> MockServer::unmatched_requests() const {
  return impl_->Requests(true);
}
void MockServer::ClearRequests() { impl_->ClearRequests(); }
std::string MockServer::Explain(const RecordedRequest& request) const {
  return impl_->Explain(request);
}
const SecretHeaders& MockServer::secret_headers() const {
  return impl_->secrets();
}

}  // namespace perfcheck::contract
