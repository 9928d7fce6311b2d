#include "perfcheck/http/spec.h"

#include <utility>

namespace perfcheck::http {

Endpoint::Endpoint(Target target, Request request, LoadOptions options,
                   std::uint64_t warmup_requests)
    : target_(std::move(target)),
      request_(std::move(request)),
      options_(std::move(options)),
      warmup_requests_(warmup_requests) {
  options_.name = request_.DisplayName();
  options_.Validate();  // misuse surfaces at construction, not inside Run()
}

std::string Endpoint::Name() const { return request_.DisplayName(); }

Result Endpoint::Run() const {
  if (warmup_requests_ > 0) {
    LoadOptions warmup = options_;
    warmup.max_requests = warmup_requests_;
    warmup.rate = 0;
    warmup.stages.clear();
    warmup.on_progress = nullptr;
    (void)Load(target_, {request_}, warmup);
  }
  return Load(target_, {request_}, options_).aggregate;
}

Endpoint Get(const Target& target, std::string path, LoadOptions options) {
  return Endpoint(target, Request::Get(std::move(path)), std::move(options));
}

Endpoint Probe(const Target& target, Request request, LoadOptions options) {
  return Endpoint(target, std::move(request), std::move(options));
}

}  // namespace perfcheck::http
