#include "frappe_client.h"

#include <httplib.h>

#include <cctype>
#include <nlohmann/json.hpp>
#include <thread>

namespace frappe {
namespace {

using nlohmann::json;

std::optional<json> ParseJson(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

std::string AsText(const json& j) {
  return j.is_string() ? j.get<std::string>() : j.dump();
}

// Frappe's "_server_messages" is a JSON string holding a JSON list of JSON
// strings, each an object with "message" — three levels of encoding.
std::vector<std::string> ServerMessages(const json& body) {
  std::vector<std::string> out;
  if (!body.contains("_server_messages") ||
      !body["_server_messages"].is_string()) {
    return out;
  }
  auto list = ParseJson(body["_server_messages"].get<std::string>());
  if (!list || !list->is_array()) return out;
  for (const json& item : *list) {
    auto inner = item.is_string() ? ParseJson(item.get<std::string>()) : item;
    if (inner && inner->is_object() && inner->contains("message")) {
      out.push_back(AsText((*inner)["message"]));
    } else {
      out.push_back(AsText(item));
    }
  }
  return out;
}

[[noreturn]] void ThrowForStatus(const std::string& request, int status,
                                 const std::string& body_text) {
  std::string exc_type;
  std::vector<std::string> messages;
  if (auto body = ParseJson(body_text); body && body->is_object()) {
    if (body->contains("exc_type")) exc_type = AsText((*body)["exc_type"]);
    messages = ServerMessages(*body);
    if (messages.empty() && body->contains("message")) {
      messages.push_back(AsText((*body)["message"]));
    }
    if (messages.empty() && body->contains("exception")) {
      messages.push_back(AsText((*body)["exception"]));
    }
  }
  std::string what = "frappe: " + request + ": HTTP " + std::to_string(status);
  if (!exc_type.empty()) what += " " + exc_type;
  what += ": " + (messages.empty() ? std::string("(no message)") : messages[0]);

  if (status == 404 || exc_type == "DoesNotExistError") {
    throw NotFoundError(status, exc_type, messages, what);
  }
  if (status == 401 || status == 403 || exc_type == "AuthenticationError" ||
      exc_type == "PermissionError") {
    throw AuthenticationError(status, exc_type, messages, what);
  }
  if (status >= 500) throw ServerError(status, exc_type, messages, what);
  if (status >= 400) throw ValidationError(status, exc_type, messages, what);
  throw InvalidResponseError(what + " (unexpected status)");
}

}  // namespace

Error::Error(int status, std::string exc_type,
             std::vector<std::string> messages, const std::string& what)
    : std::runtime_error(what),
      status_(status),
      exc_type_(std::move(exc_type)),
      messages_(std::move(messages)) {}

Client::Client(Config config) : config_(std::move(config)) {
  if (config_.base_url.empty() || config_.api_key.empty() ||
      config_.api_secret.empty()) {
    throw std::invalid_argument(
        "frappe::Client: base_url, api_key and api_secret are required");
  }
  if (config_.max_attempts < 1) {
    throw std::invalid_argument("frappe::Client: max_attempts must be >= 1");
  }
  while (config_.base_url.back() == '/') config_.base_url.pop_back();
}

std::string Client::EncodeComponent(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

std::string Client::ResourcePath(std::string_view doctype,
                                 std::string_view name) {
  std::string path = "/api/resource/" + EncodeComponent(doctype);
  if (!name.empty()) path += "/" + EncodeComponent(name);
  return path;
}

std::string Client::GetList(std::string_view doctype,
                            const ListOptions& options) {
  std::string target = ResourcePath(doctype);
  std::vector<std::string> query;
  if (!options.fields.empty()) {
    query.push_back("fields=" + EncodeComponent(json(options.fields).dump()));
  }
  if (!options.filters_json.empty()) {
    query.push_back("filters=" + EncodeComponent(options.filters_json));
  }
  if (options.limit) {
    query.push_back("limit_page_length=" + std::to_string(*options.limit));
  }
  for (std::size_t i = 0; i < query.size(); ++i) {
    target += (i == 0 ? "?" : "&") + query[i];
  }
  return Send("GET", target, "");
}

std::string Client::GetDoc(std::string_view doctype, std::string_view name) {
  if (name.empty())
    throw std::invalid_argument("frappe::Client::GetDoc: empty name");
  return Send("GET", ResourcePath(doctype, name), "");
}

std::string Client::Insert(std::string_view doctype,
                           std::string_view doc_json) {
  if (!json::accept(doc_json)) {
    throw std::invalid_argument("frappe::Client::Insert: document is not JSON");
  }
  return Send("POST", ResourcePath(doctype), std::string(doc_json));
}

std::string Client::Send(const std::string& method, const std::string& target,
                         const std::string& body) {
  const std::string request = method + " " + target;
  for (int attempt = 1;; ++attempt) {
    httplib::Client http(config_.base_url);
    // The target is already encoded exactly as the contract says.
    http.set_url_encode(false);
    auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(config_.timeout);
    http.set_connection_timeout(us.count() / 1000000, us.count() % 1000000);
    http.set_read_timeout(us.count() / 1000000, us.count() % 1000000);
    http.set_write_timeout(us.count() / 1000000, us.count() % 1000000);

    httplib::Request req;
    req.method = method;
    req.path = target;
    req.headers = {{"Authorization",
                    "token " + config_.api_key + ":" + config_.api_secret},
                   {"Accept", "application/json"}};
    if (method == "POST") {
      req.body = body;
      req.headers.emplace("Content-Type", "application/json");
    }
    auto start = std::chrono::steady_clock::now();
    httplib::Result res = http.send(req);
    if (!res) {
      bool timed_out =
          res.error() == httplib::Error::Read &&
          std::chrono::steady_clock::now() - start >= config_.timeout * 9 / 10;
      throw TransportError(
          "frappe: " + request + ": " +
              (timed_out
                   ? std::string("timed out after ") +
                         std::to_string(config_.timeout.count()) + " ms"
                   : "no response (" + httplib::to_string(res.error()) + ")"),
          timed_out);
    }
    if (res->status == 503 && attempt < config_.max_attempts) {
      std::this_thread::sleep_for(config_.retry_backoff);
      continue;
    }
    if (res->status < 200 || res->status > 299) {
      ThrowForStatus(request, res->status, res->body);
    }
    auto parsed = ParseJson(res->body);
    if (!parsed || !parsed->is_object() || !parsed->contains("data")) {
      throw InvalidResponseError("frappe: " + request + ": HTTP " +
                                 std::to_string(res->status) +
                                 ": body is not a JSON object with \"data\"");
    }
    return (*parsed)["data"].dump();
  }
}

}  // namespace frappe
