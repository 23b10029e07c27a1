#pragma once
// What seed 002's programs share (hn_comments and hn_poll include this): the `[HH:MM:SS]` log,
// the URLFetcher that counts fetches and bounds each by FETCH_TIMEOUT, and the recursive
// post_number_of_comments that fans out with gather and fans in with a sum.

#include <time.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aio/core/exceptions.hpp"
#include "aio/http/client.hpp"
#include "aio/tasks/gather.hpp"
#include "aio/tasks/wait.hpp"
#include "aio/time/wait_for.hpp"

namespace hn {

/// The real API, for `--base-url`; the programs default to the in-process fixture.
inline constexpr const char* kRealApi = "https://hacker-news.firebaseio.com";
/// The seed's FETCH_TIMEOUT.
inline constexpr std::chrono::milliseconds kFetchTimeout{10'000};

/// `--verbose`: the seed's log.debug lines are printed too. Callers test it before building a
/// line (`if (verbose) log(...)`): the crawl would otherwise format three unused lines a fetch.
inline bool verbose = false;

/// One line as the seed's logging.basicConfig(format='%(asctime)s %(message)s',
/// datefmt='[%H:%M:%S]') prints it: on stderr, local time.
inline void log(const std::string& message) {
    std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char stamp[16];
    std::strftime(stamp, sizeof stamp, "[%H:%M:%S]", &local);
    std::fprintf(stderr, "%s %s\n", stamp, message.c_str());
    std::fflush(stderr);
}

/// Python's '{:^6}'.format(id): centred in 6 columns, the odd space on the right.
inline std::string centred(std::int64_t id) {
    std::string s = std::to_string(id);
    if (s.size() >= 6) return s;
    std::size_t left = (6 - s.size()) / 2;
    return std::string(left, ' ') + s + std::string(6 - s.size() - left, ' ');
}

/// Seconds as Python prints a float's total_seconds() (0.012345; 2.0).
inline std::string seconds_text(std::chrono::steady_clock::duration d) {
    double s = std::chrono::duration<double>(d).count();
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", s);
    std::string t = buf;
    while (t.size() > 1 && t.back() == '0' && t[t.size() - 2] != '.') t.pop_back();
    return t;
}

/// Seconds with `decimals` places: the seed's '{:.2f}' by default.
inline std::string fixed_seconds(std::chrono::steady_clock::duration d, int decimals = 2) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, std::chrono::duration<double>(d).count());
    return buf;
}

/// The seed's `raise Exception('BOOM!')` once MAXIMUM_FETCHES is passed.
class Boom : public std::runtime_error {
public:
    Boom() : std::runtime_error("BOOM!") {}
};

/// A fetch that failed: the URL and why (the status, the JSON error, the timeout, ...).
class FetchError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The seed's URLFetcher: counts the fetches of one crawl; every fetch is bounded by `timeout`.
class URLFetcher {
public:
    URLFetcher(aio::http::ClientSession& session, std::string base_url, std::chrono::milliseconds timeout,
               std::uint64_t maximum_fetches = 0)
        : session_(&session), base_(std::move(base_url)), timeout_(timeout), maximum_(maximum_fetches) {}

    std::string item_url(std::int64_t id) const { return base_ + "/v0/item/" + std::to_string(id) + ".json"; }
    std::string top_stories_url() const { return base_ + "/v0/topstories.json"; }

    /// The URL's body as JSON. Boom past `maximum_fetches`; FetchError for anything else that
    /// goes wrong (a 500 is not JSON: aiohttp's ContentTypeError, as the seed gets).
    aio::Coro<nlohmann::json> fetch(std::string url) {
        ++fetch_counter;
        if (maximum_ != 0 && fetch_counter > maximum_) throw Boom();
        std::string why;
        try {
            aio::Coro<nlohmann::json> call = get_json(url);  // named: g++ 12 and temporaries in co_await
            co_return co_await aio::wait_for(std::move(call), timeout_);
        } catch (const aio::TimeoutError&) {
            why = "no answer within FETCH_TIMEOUT (" + std::to_string(timeout_.count()) + " ms)";
        } catch (const std::exception&) {
            why = aio::describe_exception(std::current_exception());
        }
        throw FetchError("fetching " + url + " failed: " + why);
    }

    std::uint64_t fetch_counter = 0;

private:
    aio::Coro<nlohmann::json> get_json(std::string url) {
        aio::http::RequestOptions options;
        aio::http::ClientResponse response = co_await session_->get(url, options);
        co_return co_await response.json();
    }

    aio::http::ClientSession* session_;
    std::string base_;
    std::chrono::milliseconds timeout_;
    std::uint64_t maximum_;
};

/// The seed's `await asyncio.gather(*tasks)`, with one difference that C++ needs. asyncio's
/// gather lets the other children run on after the first failure; in Python the objects they use
/// (the fetcher, the session) live as long as anything refers to them, but here they live in the
/// caller's frame, which the exception is about to end. So the other children are cancelled and
/// awaited before the exception leaves: none outlives the call.
template <class T>
aio::Coro<std::vector<T>> gather_scoped(std::vector<aio::Coro<T>> coros) {
    std::vector<aio::Task<T>> tasks;
    tasks.reserve(coros.size());
    for (aio::Coro<T>& c : coros) tasks.push_back(aio::create_task(std::move(c)));
    std::exception_ptr failed;
    try {
        std::vector<aio::Task<T>> gathered = tasks;
        co_return co_await aio::gather(std::move(gathered));
    } catch (...) {
        failed = std::current_exception();
    }
    for (aio::Task<T>& t : tasks) t.cancel();
    for (;;) {
        try {
            std::vector<aio::Task<T>> waited = tasks;
            co_await aio::wait(std::move(waited));
            break;
        } catch (const aio::CancelledError&) {
            // Cancelled again while the children wind down: they must still end first.
        }
    }
    for (aio::Task<T>& t : tasks)
        if (!t.cancelled()) (void)t.exception();  // retrieved, as asyncio's gather marks them
    std::rethrow_exception(failed);
}

/// Called with a post and its comment count once counted (hn_comments' fire-and-forget hook).
using OnCounted = std::function<void(const nlohmann::json& post, std::size_t comments)>;

/// The seed's recursive coroutine: the post's kids, plus theirs, fetched with gather.
/// `on_counted` by value: a coroutine outlives its call's full expression, so a reference
/// parameter would dangle (the default `{}` is a temporary of that expression).
inline aio::Coro<std::size_t> post_number_of_comments(URLFetcher& fetcher, std::int64_t post_id,
                                                      OnCounted on_counted = {}) {
    std::string url = fetcher.item_url(post_id);
    auto start = std::chrono::steady_clock::now();
    nlohmann::json response = co_await fetcher.fetch(url);
    if (verbose)
        log(centred(post_id) + " > Fetching of " + url + " took " +
            seconds_text(std::chrono::steady_clock::now() - start) + " seconds");
    if (!response.is_object() || !response.contains("kids")) co_return 0;  // base case: no comments
    const nlohmann::json& kids = response["kids"];
    if (!kids.is_array()) throw FetchError(url + ": \"kids\" is not a list");
    std::size_t number_of_comments = kids.size();
    if (verbose) log(centred(post_id) + " > Fetching " + std::to_string(number_of_comments) + " child posts");
    std::vector<aio::Coro<std::size_t>> tasks;
    tasks.reserve(kids.size());
    for (const nlohmann::json& kid : kids) {
        if (!kid.is_number_integer()) throw FetchError(url + ": a kid id is not a number");
        tasks.push_back(post_number_of_comments(fetcher, kid.get<std::int64_t>(), on_counted));
    }
    std::vector<std::size_t> results = co_await gather_scoped(std::move(tasks));
    for (std::size_t r : results) number_of_comments += r;
    if (verbose) log(centred(post_id) + " > " + std::to_string(number_of_comments) + " comments");
    if (on_counted) on_counted(response, number_of_comments);
    co_return number_of_comments;
}

}  // namespace hn
