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
#include "mock_transport.h"
#include "tls.h"

namespace perfcheck::contract {

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
      internal::SetCurrentConnectionFault(Reply::Fault::kCloseWithoutResponse,
                                          "");
      return;
    }
    if (reply->fault() != Reply::Fault::kNone) {
      internal::SetCurrentConnectionFault(reply->fault(), reply->raw_bytes());
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
      out += '\n';  // not "\n" + ...: GCC 12 -Wrestrict false positive
      out += internal::FormatMismatches(why[i], "    ");
    }
    return out;
  }

  MockServerOptions options_;
  SecretHeaders secrets_;
  std::atomic<bool> stopping_{false};
  std::unique_ptr<internal::SelfSignedTls> tls_;  // set when options_.tls
  internal::ConnectionServer server_;
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
