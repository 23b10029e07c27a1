#include "aio/testing/mock_responses.hpp"

#include <algorithm>
#include <any>

#include "aio/core/event_loop.hpp"
#include "aio/core/exceptions.hpp"
#include "aio/http/client_errors.hpp"
#include "aio/http/connector.hpp"
#include "aio/http/parser.hpp"
#include "aio/http/response.hpp"
#include "aio/io/transport.hpp"

namespace aio::testing {

namespace detail {

namespace {

// URLs equal but for the order of the query's parameters (aioresponses' normalisation).
bool same_url(const http::URL& a, const http::URL& b) {
    if (a.scheme() != b.scheme() || a.host() != b.host() || a.port() != b.port() || a.raw_path() != b.raw_path())
        return false;
    auto qa = a.query();
    auto qb = b.query();
    std::sort(qa.begin(), qa.end());
    std::sort(qb.begin(), qb.end());
    return qa == qb;
}

}  // namespace

struct Registration {
    std::string method;
    std::optional<http::URL> url;
    std::optional<std::regex> pattern;
    MockResponse response;
};

class MockTransport;

class MockState : public http::detail::ConnectHook, public std::enable_shared_from_this<MockState> {
public:
    std::shared_ptr<Transport> open(const http::URL& origin, std::shared_ptr<Protocol> protocol) override;
    /// The answer to one request: the bytes to write back, or the exception to fail with.
    struct Answer {
        std::string bytes;
        std::exception_ptr error;
        std::chrono::milliseconds delay{0};
    };
    Answer answer(const std::string& method, const http::URL& url, const http::Headers& headers, std::string body);

    std::vector<Registration> registrations;
    std::vector<RecordedRequest> recorded;
    std::vector<std::weak_ptr<MockTransport>> transports;
    std::size_t made = 0;
};

/// The in-memory transport: writes go to the mock's request parser; answers come back through
/// call_soon, on a later loop iteration, as a socket's would.
class MockTransport final : public Transport {
public:
    MockTransport(std::weak_ptr<MockState> state, http::URL origin, std::shared_ptr<Protocol> protocol)
        : state_(std::move(state)), origin_(std::move(origin)), protocol_(std::move(protocol)) {}

    void write(std::string_view data) override {
        if (closing_) return;
        inbound_ += data;
        serve();
    }
    void write_eof() override {}
    bool can_write_eof() const noexcept override { return true; }
    void abort() override { close(); }
    void close() override {
        if (closing_) return;
        closing_ = true;
        lose(nullptr);
    }
    bool is_closing() const noexcept override { return closing_; }
    std::any get_extra_info(std::string_view) const override { return {}; }
    std::shared_ptr<BaseProtocol> get_protocol() const override { return protocol_; }
    void set_protocol(std::shared_ptr<BaseProtocol> p) override {
        protocol_ = std::dynamic_pointer_cast<Protocol>(std::move(p));
    }
    bool is_reading() const noexcept override { return reading_; }
    void pause_reading() override { reading_ = false; }
    void resume_reading() override {
        if (reading_) return;
        reading_ = true;
        flush_later();
    }
    std::size_t get_write_buffer_size() const noexcept override { return 0; }
    void set_write_buffer_limits(std::size_t high, std::size_t low) override {
        if (low > high) throw ValueError("low must be <= high");
        limits_ = {high, low};
    }
    std::pair<std::size_t, std::size_t> get_write_buffer_limits() const noexcept override { return limits_; }

private:
    // Parses every whole request received and queues its answer.
    void serve() {
        for (;;) {
            http::RequestParser parser;
            auto st = parser.parse(inbound_);
            if (st == http::ParseStatus::incomplete) return;
            if (st == http::ParseStatus::error) {
                fail(std::make_exception_ptr(http::ClientConnectionError(
                    std::string("MockResponses could not parse the request: ") + std::string(http::name(parser.error())))));
                return;
            }
            const auto& head = parser.head();
            http::BodyDecoder decoder(head);
            std::string_view rest = std::string_view(inbound_).substr(parser.head_size());
            std::size_t used = parser.head_size();
            std::string body;
            while (!decoder.done()) {
                auto step = decoder.decode(rest);
                if (decoder.failed()) {
                    fail(std::make_exception_ptr(http::ClientConnectionError("MockResponses: a malformed request body")));
                    return;
                }
                if (step.consumed == 0) return;  // the rest of the body is still to come
                body += step.data;
                rest.remove_prefix(step.consumed);
                used += step.consumed;
            }
            std::string method(head.method);
            http::URL url(origin_.str() + std::string(head.target));
            http::Headers headers;
            for (const auto& f : head.headers) headers.add(f.name, f.value);
            inbound_.erase(0, used);
            auto state = state_.lock();
            if (!state) {
                fail(std::make_exception_ptr(http::ClientConnectionError("MockResponses is gone", url.str())));
                return;
            }
            auto answer = state->answer(method, url, headers, std::move(body));
            if (answer.delay.count() > 0) {
                // A slow server: this answer (and any pipelined after it) waits for the timer.
                // A weak reference: the handle lives in this transport, so a strong one would be a
                // cycle that outlives a connection the client closed before the answer was due.
                std::weak_ptr<MockTransport> weak = std::dynamic_pointer_cast<MockTransport>(shared_from_this());
                delayed_ = get_running_loop().call_later(answer.delay, [weak, answer] {
                    auto self = weak.lock();
                    if (!self || self->lost_) return;
                    if (answer.error) {
                        self->fail(answer.error);
                    } else {
                        self->outbound_ += answer.bytes;
                        self->flush_later();
                    }
                });
                return;
            }
            if (answer.error) {
                fail(answer.error);
                return;
            }
            outbound_ += answer.bytes;
            flush_later();
        }
    }

    void flush_later() {
        if (scheduled_ || outbound_.empty()) return;
        scheduled_ = true;
        auto self = std::dynamic_pointer_cast<MockTransport>(shared_from_this());
        get_running_loop().call_soon([self] {
            self->scheduled_ = false;
            if (self->lost_ || !self->reading_ || self->outbound_.empty()) return;
            std::string data = std::move(self->outbound_);
            self->outbound_.clear();
            self->protocol_->data_received(data);
        });
    }

    void fail(std::exception_ptr e) {
        closing_ = true;
        lose(std::move(e));
    }

    void lose(std::exception_ptr e) {
        auto self = std::dynamic_pointer_cast<MockTransport>(shared_from_this());
        get_running_loop().call_soon([self, e] {
            if (self->lost_) return;
            // What was answered before the close still arrives first.
            if (!self->outbound_.empty()) {
                std::string data = std::move(self->outbound_);
                self->outbound_.clear();
                self->protocol_->data_received(data);
            }
            self->lost_ = true;
            self->delayed_.cancel();
            self->delayed_ = TimerHandle{};
            self->protocol_->connection_lost(e);
        });
    }

    std::weak_ptr<MockState> state_;
    http::URL origin_;
    std::shared_ptr<Protocol> protocol_;
    std::string inbound_;
    std::string outbound_;
    std::pair<std::size_t, std::size_t> limits_{64 * 1024, 16 * 1024};
    bool closing_ = false;
    bool lost_ = false;
    bool reading_ = true;
    bool scheduled_ = false;
    TimerHandle delayed_;
};

std::shared_ptr<Transport> MockState::open(const http::URL& origin, std::shared_ptr<Protocol> protocol) {
    auto t = std::make_shared<MockTransport>(weak_from_this(), origin, protocol);
    std::erase_if(transports, [](const std::weak_ptr<MockTransport>& w) { return w.expired(); });
    transports.push_back(t);
    ++made;
    protocol->deliver_connection_made(*t);
    return t;
}

MockState::Answer MockState::answer(const std::string& method, const http::URL& url, const http::Headers& headers,
                                    std::string body) {
    recorded.push_back(RecordedRequest{method, url, headers, body});
    std::string text = url.str();
    auto it = std::find_if(registrations.begin(), registrations.end(), [&](const Registration& r) {
        if (r.method != method) return false;
        if (r.url) return same_url(*r.url, url);
        return std::regex_match(text, *r.pattern);
    });
    if (it == registrations.end())
        return {{}, std::make_exception_ptr(http::ClientConnectionError("Connection refused: " + method + " " + text)), {}};
    MockResponse resp = it->response;
    if (!resp.repeat) registrations.erase(it);
    if (resp.exception) return {{}, resp.exception, resp.delay};

    std::string content = resp.payload.is_discarded() ? resp.body : resp.payload.dump();
    std::string out = "HTTP/1.1 " + std::to_string(resp.status) + " ";
    out += resp.reason.empty() ? http::reason_phrase(resp.status) : std::string_view(resp.reason);
    out += "\r\n";
    if (!resp.headers.contains("Content-Type") && !resp.content_type.empty())
        out += "Content-Type: " + resp.content_type + "\r\n";
    for (const auto& [name, value] : resp.headers) {
        if (http::iequals(name, "Content-Length")) continue;
        out += name + ": " + value + "\r\n";
    }
    bool no_body = resp.status == 204 || resp.status == 304 || (resp.status >= 100 && resp.status < 200);
    if (!no_body) out += "Content-Length: " + std::to_string(content.size()) + "\r\n";
    out += "\r\n";
    if (!no_body && method != "HEAD") out += content;
    return {std::move(out), nullptr, resp.delay};
}

}  // namespace detail

MockResponses::MockResponses() : state_(std::make_shared<detail::MockState>()) {
    if (http::detail::connect_hook()) throw RuntimeError("another MockResponses is already active on this thread");
    http::detail::set_connect_hook(state_.get());
}

MockResponses::~MockResponses() {
    http::detail::set_connect_hook(nullptr);
    for (auto& w : state_->transports)
        if (auto t = w.lock()) t->close();
}

void MockResponses::add(std::string method, std::string url, MockResponse response) {
    for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    state_->registrations.push_back({std::move(method), http::URL(url), std::nullopt, std::move(response)});
}

void MockResponses::add(std::string method, std::regex url, MockResponse response) {
    for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    state_->registrations.push_back({std::move(method), std::nullopt, std::move(url), std::move(response)});
}

const std::vector<RecordedRequest>& MockResponses::requests() const noexcept { return state_->recorded; }
std::size_t MockResponses::connections_made() const noexcept { return state_->made; }

void MockResponses::clear() {
    state_->registrations.clear();
    state_->recorded.clear();
}

}  // namespace aio::testing
