// A small client for a Frappe-style REST API — the kind of integration client
// whose contract examples/frappe_client/frappe_client_contract_test.cc pins
// down with perfcheck's MockServer.
//
//   frappe::Client erp({.base_url = "https://erp.example.com",
//                       .api_key = key, .api_secret = secret});
//   std::string orders = erp.GetList("Sales Order", {.fields = {"name"}});
//   std::string item = erp.GetDoc("Item", "I-0001");
//   std::string created = erp.Insert("ToDo", R"({"description": "call"})");
//
// Contract:
// - GET  /api/resource/<Doctype>?fields=[...]&filters=...&limit_page_length=n
//   GET  /api/resource/<Doctype>/<name>
//   POST /api/resource/<Doctype>   (JSON body)
//   Doctype and name are percent-encoded as one path segment each (UTF-8,
//   space as %20, '/' as %2F); query values likewise.
// - Every request carries `Authorization: token <api_key>:<api_secret>` and
//   `Accept: application/json`.
// - A 2xx response's JSON "data" member is returned as JSON text.
// - Errors: a non-2xx response throws an Error subclass chosen by status and
//   Frappe's "exc_type"; its message comes from "_server_messages" (a JSON
//   string holding a list of JSON strings with "message"), else "message",
//   else "exception", else the HTTP status. A body that is not JSON throws
//   InvalidResponseError (2xx) or the status's Error. A 503 (maintenance,
//   overload) is retried up to `max_attempts` times with `retry_backoff`
//   between attempts; timeouts and connection failures throw TransportError
//   without retry. No message ever contains the API secret.
//
// Thread-safety: a Client may be used from several threads at once.
#ifndef PERFCHECK_EXAMPLES_FRAPPE_CLIENT_FRAPPE_CLIENT_H_
#define PERFCHECK_EXAMPLES_FRAPPE_CLIENT_FRAPPE_CLIENT_H_

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace frappe {

struct Config {
  std::string base_url;  // "http://host:port", no trailing slash needed
  std::string api_key;
  std::string api_secret;
  std::chrono::milliseconds timeout{10000};  // connect and read, per attempt
  int max_attempts = 3;                      // for 503 responses
  std::chrono::milliseconds retry_backoff{200};
};

struct ListOptions {
  std::vector<std::string>
      fields;                // sent as a JSON array; empty: server default
  std::string filters_json;  // e.g. R"([["status","=","Open"]])"
  std::optional<int> limit;  // limit_page_length
};

// A non-2xx answer from the server.
class Error : public std::runtime_error {
 public:
  Error(int status, std::string exc_type, std::vector<std::string> messages,
        const std::string& what);
  int status() const { return status_; }
  const std::string& exc_type() const { return exc_type_; }  // "" if none
  const std::vector<std::string>& messages() const { return messages_; }

 private:
  int status_;
  std::string exc_type_;
  std::vector<std::string> messages_;
};

class NotFoundError : public Error {  // 404, DoesNotExistError
  using Error::Error;
};
class AuthenticationError : public Error {  // 401, 403, PermissionError
  using Error::Error;
};
class ValidationError : public Error {  // 400, 409, 417, ValidationError...
  using Error::Error;
};
class ServerError : public Error {  // 5xx
  using Error::Error;
};

// A 2xx response whose body is not the expected JSON.
class InvalidResponseError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

// No response: timeout, refused or reset connection.
class TransportError : public std::runtime_error {
 public:
  TransportError(const std::string& what, bool timed_out)
      : std::runtime_error(what), timed_out_(timed_out) {}
  bool timed_out() const { return timed_out_; }

 private:
  bool timed_out_;
};

class Client {
 public:
  // Throws std::invalid_argument on an empty base_url, key or secret.
  explicit Client(Config config);

  std::string GetList(std::string_view doctype,
                      const ListOptions& options = {});
  std::string GetDoc(std::string_view doctype, std::string_view name);
  std::string Insert(std::string_view doctype, std::string_view doc_json);

  // "/api/resource/Sales%20Order" or ".../Sales%20Order/SO-0001".
  static std::string ResourcePath(std::string_view doctype,
                                  std::string_view name = {});
  // Percent-encodes everything but RFC 3986 unreserved characters.
  static std::string EncodeComponent(std::string_view text);

 private:
  std::string Send(const std::string& method, const std::string& target,
                   const std::string& body);
  Config config_;
};

}  // namespace frappe

#endif  // PERFCHECK_EXAMPLES_FRAPPE_CLIENT_FRAPPE_CLIENT_H_
