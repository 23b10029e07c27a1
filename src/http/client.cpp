#include "aio/http/client.hpp"

#include <algorithm>
#include <cctype>

#include "aio/core/event_loop.hpp"
#include "aio/core/os_errors.hpp"
#include "aio/http/request.hpp"
#include "http/client_body.hpp"
#include "http/client_connection.hpp"

namespace aio::http {

namespace {

bool is_idempotent(std::string_view m) noexcept {
    return m == "GET" || m == "HEAD" || m == "OPTIONS" || m == "TRACE" || m == "PUT" || m == "DELETE";
}

bool is_redirect(int status) noexcept {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool same_origin(const URL& a, const URL& b) {
    return a.scheme() == b.scheme() && a.host() == b.host() && a.port() == b.port();
}

// The request head, in one buffer with the body so that it leaves in one write.
std::string serialize(std::string_view method, const URL& url, const Headers& headers, std::string_view body,
                      bool has_body) {
    std::string out;
    out.reserve(128 + body.size());
    out += method;
    out += ' ';
    std::string target = url.path_qs();
    out += target.empty() ? std::string_view("/") : std::string_view(target);
    out += " HTTP/1.1\r\n";
    for (const auto& [name, value] : headers) {
        out += name;
        out += ": ";
        out += value;
        out += "\r\n";
    }
    if (has_body && !headers.contains("Content-Length")) {
        out += "Content-Length: ";
        out += std::to_string(body.size());
        out += "\r\n";
    }
    out += "\r\n";
    out += body;
    return out;
}

// A header value may not carry CR, LF or NUL: they would let a caller's value smuggle a field.
void check_header(const std::string& name, const std::string& value, const std::string& url) {
    auto bad = [](char c) { return c == '\r' || c == '\n' || c == '\0'; };
    if (name.empty() || std::any_of(name.begin(), name.end(), [](char c) { return c <= ' ' || c == ':' || c == 0x7f; }))
        throw ValueError("invalid header name '" + name + "' in a request to " + url);
    if (std::any_of(value.begin(), value.end(), bad))
        throw ValueError("invalid header value for '" + name + "' (CR, LF or NUL) in a request to " + url);
}

std::optional<TimePoint> earliest(std::optional<TimePoint> a, std::optional<TimePoint> b) {
    if (!a) return b;
    if (!b) return a;
    return std::min(*a, *b);
}

}  // namespace

ClientSession::ClientSession(ClientSessionOptions options) : options_(std::move(options)) {
    connector_ = options_.connector;
    if (!connector_) {
        connector_ = std::make_shared<TCPConnector>();
        owns_connector_ = true;
    }
    cookie_jar_ = options_.cookie_jar ? options_.cookie_jar : std::make_shared<CookieJar>();
}

ClientSession::~ClientSession() { close(); }

void ClientSession::close() noexcept {
    if (closed_) return;
    closed_ = true;
    if (owns_connector_) connector_->close();
}

Coro<ClientResponse> ClientSession::get(std::string url, RequestOptions o) {
    return request("GET", std::move(url), std::move(o));
}
Coro<ClientResponse> ClientSession::post(std::string url, RequestOptions o) {
    return request("POST", std::move(url), std::move(o));
}
Coro<ClientResponse> ClientSession::put(std::string url, RequestOptions o) {
    return request("PUT", std::move(url), std::move(o));
}
Coro<ClientResponse> ClientSession::patch(std::string url, RequestOptions o) {
    return request("PATCH", std::move(url), std::move(o));
}
Coro<ClientResponse> ClientSession::delete_(std::string url, RequestOptions o) {
    return request("DELETE", std::move(url), std::move(o));
}
Coro<ClientResponse> ClientSession::head(std::string url, RequestOptions o) {
    return request("HEAD", std::move(url), std::move(o));
}
Coro<ClientResponse> ClientSession::options(std::string url, RequestOptions o) {
    return request("OPTIONS", std::move(url), std::move(o));
}

Coro<ClientResponse> ClientSession::request(std::string method, std::string url_text, RequestOptions opts) {
    if (closed_) throw ClientConnectionError("Session is closed", url_text);
    for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (method.empty() || std::any_of(method.begin(), method.end(), [](char c) { return c <= ' ' || c >= 0x7f; }))
        throw ValueError("invalid HTTP method '" + method + "'");
    URL url(url_text);
    if (!opts.params.empty()) url = url.extend_query(opts.params);
    if (!url.is_absolute() || url.host().empty()) throw InvalidURL(url_text, "an absolute http(s) URL is needed");
    if (url.scheme() != "http" && url.scheme() != "https") throw InvalidURL(url_text, "the scheme is not http or https");

    const ClientTimeout& timeout = opts.timeout ? *opts.timeout : options_.timeout;
    std::optional<TimePoint> deadline;
    if (timeout.total) deadline = get_running_loop().time() + *timeout.total;

    // The headers: the session's, the request's over them, then the defaults where not given.
    Headers headers = options_.headers;
    for (const auto& [name, value] : opts.headers) headers.erase(name);
    headers.extend(opts.headers);
    std::string body;
    bool has_body = false;
    if (!opts.json.is_discarded()) {
        body = opts.json.dump();
        has_body = true;
        headers.setdefault("Content-Type", "application/json");
    } else if (auto* bytes = std::get_if<std::string>(&opts.data)) {
        body = std::move(*bytes);
        has_body = true;
        headers.setdefault("Content-Type", "application/octet-stream");
    } else if (auto* form = std::get_if<QueryParams>(&opts.data)) {
        body = urlencode(*form);
        has_body = true;
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded");
    }
    if (has_body) headers.set("Content-Length", std::to_string(body.size()));
    for (const auto& [name, value] : headers) check_header(name, value, url_text);

    std::vector<ClientResponse> history;
    for (;;) {
        static const std::string no_body;
        const std::string& sent = has_body ? body : no_body;  // an lvalue: no temporary in the co_await
        ClientResponse resp = co_await send(method, url, headers, sent, opts, timeout, deadline);
        if (!opts.allow_redirects || !is_redirect(resp.status) || !resp.headers.contains("Location")) {
            resp.history = std::move(history);
            if (opts.raise_for_status.value_or(options_.raise_for_status)) resp.raise_for_status();
            co_return resp;
        }
        // Read what is left of the redirect's body so that its connection can be reused.
        if (resp.body_) co_await resp.body_->drain(64 * 1024);
        resp.release();
        int status = resp.status;
        URL location(resp.headers.get("Location", ""));
        history.push_back(std::move(resp));
        // aiohttp's rule: 0 follows redirects without a bound; otherwise the max_redirects-th raises.
        if (opts.max_redirects != 0 && static_cast<int>(history.size()) >= opts.max_redirects) {
            Headers last = history.back().headers;
            throw TooManyRedirects(url.without_credentials().str(), status, std::move(last));
        }
        URL next = url.join(location);
        if (next.scheme() != "http" && next.scheme() != "https")
            throw InvalidURL(next.str(), "a redirect to a scheme that is not http or https");
        if (status == 303 && method != "HEAD") method = "GET";
        if ((status == 301 || status == 302) && method == "POST") method = "GET";
        if (method == "GET" || method == "HEAD") {
            if (has_body) {
                headers.erase("Content-Length");
                headers.erase("Content-Type");
            }
            has_body = false;
            body.clear();
        }
        if (!same_origin(url, next)) headers.erase("Authorization");
        url = next.with_fragment("");
    }
}

Coro<ClientResponse> ClientSession::send(std::string_view method, const URL& url, const Headers& base_headers,
                                         const std::string& body, const RequestOptions& opts,
                                         const ClientTimeout& timeout, std::optional<TimePoint> deadline) {
    Headers headers;
    headers.reserve(base_headers.size() + 5);  // the defaults below and a Cookie: one allocation
    headers.extend(base_headers);
    headers.setdefault("Host", url.host_port());
    headers.setdefault("Accept", "*/*");
    if (options_.auto_decompress) headers.setdefault("Accept-Encoding", "gzip, deflate");
    headers.setdefault("User-Agent", "aio-http/0.1");
    if (!cookie_jar_->empty()) {
        std::string cookies = cookie_jar_->filter_cookies(url);
        if (!cookies.empty()) {
            auto given = headers.get("Cookie");
            headers.set("Cookie", given && !given->empty() ? std::string(*given) + "; " + cookies : cookies);
        }
    }
    std::string wire = serialize(method, url, headers, body, false);
    const bool plain = url.user().empty() && url.password().empty() && url.fragment().empty();
    std::string url_str = plain ? url.str() : url.without_credentials().str();

    detail::ConnectParams params;
    params.deadline = deadline;
    params.connect = timeout.connect;
    params.sock_connect = timeout.sock_connect;
    params.ssl = opts.ssl;
    params.verify_ssl = opts.verify_ssl;

    for (int attempt = 0;; ++attempt) {
        detail::Lease lease = co_await connector_->connect(url, params);
        bool reused = lease.connection().reused;
        detail::ClientProtocol& p = lease.protocol();
        p.reset_received();
        auto retry_or_throw = [&](std::exception_ptr e) {
            // Read the protocol before the release: closing may destroy it (an in-memory transport
            // drops its protocol at once).
            const std::exception_ptr lost_with = p.error();
            const std::size_t received = p.received();
            lease.release(false);
            // A pooled connection the server had closed (EOF, or an OS error like ECONNRESET):
            // nothing of this request was answered, so an idempotent one can go again on a new
            // connection. Any other failure is the answer.
            bool closed_kind = !lost_with || [&] {
                try {
                    std::rethrow_exception(lost_with);
                } catch (const OSError&) {
                    return true;
                } catch (...) {
                    return false;
                }
            }();
            if (reused && attempt == 0 && received == 0 && closed_kind && is_idempotent(method)) return;
            std::rethrow_exception(e);
        };
        if (!p.transport() || p.at_eof()) {
            auto e = std::make_exception_ptr(ServerDisconnectedError(url_str));
            retry_or_throw(e);
            continue;
        }
        p.transport()->write(wire);

        // The head: parsed in place; the parser's views stay valid while the buffer is pinned.
        ResponseParser& parser = p.parser();
        parser.reset();
        p.pin(true);
        // Unpins on every way out, unless the connection was released (and maybe destroyed) first.
        struct Unpin {
            detail::Lease& lease;
            ~Unpin() {
                if (lease) lease.protocol().pin(false);
            }
        };
        std::optional<Unpin> unpin;
        unpin.emplace(Unpin{lease});
        std::optional<TimePoint> when;
        bool retry = false;
        ClientResponse resp;
        for (;;) {
            ParseStatus st = parser.parse(p.unread(), method);
            if (st == ParseStatus::error) {
                std::string why = "Invalid response: " + std::string(name(parser.error()));
                lease.release(false);  // the parser belongs to the protocol: read it first
                throw ClientResponseError(url_str, 0, std::move(why));
            }
            if (st == ParseStatus::complete) {
                const ResponseHead& h = parser.head();
                if (h.status >= 100 && h.status < 200 && h.status != 101) {
                    // An interim response (100 Continue, 103 Early Hints): the real one follows.
                    p.consume(parser.head_size());
                    parser.reset();
                    continue;
                }
                break;
            }
            if (p.at_eof()) {
                std::exception_ptr e;
                if (p.received() == 0 && p.error()) {
                    e = p.error();
                } else {
                    e = std::make_exception_ptr(ServerDisconnectedError(url_str));
                }
                try {
                    retry_or_throw(e);
                } catch (const OSError&) {
                    throw ClientOSError(std::string("Connection lost: ") + describe_exception(e), url_str, e,
                                        0);
                }
                retry = true;
                break;
            }
            when = deadline;
            if (timeout.sock_read) when = earliest(when, get_running_loop().time() + *timeout.sock_read);
            co_await p.wait_more(when);
            if (p.moved()) {
                parser.reset();
                p.pin(true);
            }
        }
        if (retry) continue;

        const ResponseHead& h = parser.head();
        resp.method = std::string(method);
        resp.url = url;
        resp.status = h.status;
        resp.reason = std::string(h.reason);
        resp.version_major = h.version_major;
        resp.version_minor = h.version_minor;
        resp.headers.reserve(h.headers.size());
        for (const HeaderField& f : h.headers) resp.headers.add(f.name, f.value);
        if (cookie_jar_->enabled() && resp.headers.contains("Set-Cookie")) cookie_jar_->update_cookies(resp.headers, url);
        BodyDecoder decoder(h);
        bool keep_alive = h.keep_alive;
        p.consume(parser.head_size());
        unpin.reset();
        std::optional<Duration> sock_read = timeout.sock_read;
        std::optional<ContentCoding> coding;
        if (options_.auto_decompress && method != "HEAD") {
            if (auto enc = resp.headers.get("Content-Encoding")) coding = content_coding_from_name(*enc);
        }
        const bool upgraded = h.status == 101;
        auto reader = std::make_shared<detail::BodyReader>(std::move(lease), std::move(decoder), keep_alive,
                                                           url_str, deadline, sock_read, coding, upgraded);
        resp.body_ = reader;
        resp.content = StreamContent(std::move(reader));
        co_return resp;
    }
}

TakenOver ClientSession::take_over(ClientResponse& upgraded) {
    TakenOver out;
    if (!upgraded.body_) return out;
    detail::Lease::Detached d = upgraded.body_->detach();
    out.transport = std::move(d.transport);
    out.tail = std::move(d.tail);
    return out;
}

}  // namespace aio::http
