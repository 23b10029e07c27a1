#pragma once
// What the web-files integration tests share: a temporary directory tree removed at the end, a
// server on 127.0.0.1:0 running a handler for the test body, and a subprocess runner for curl.

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "aio/aio.hpp"
#include "aio/http/server.hpp"
#include "http_server_client.hpp"

namespace web_files_test {

using namespace std::chrono_literals;
using http_test::RawClient;
using http_test::RawResponse;

/// A fresh directory under /tmp, removed with everything in it.
class TempDir {
public:
    TempDir() {
        char tmpl[] = "/tmp/aio-web-files-XXXXXX";
        char* p = ::mkdtemp(tmpl);
        EXPECT_NE(p, nullptr);
        path_ = p ? p : "";
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::string& path() const noexcept { return path_; }
    std::string operator/(std::string_view rel) const { return path_ + "/" + std::string(rel); }
    /// Writes `content` to `rel` (parent directories made), returns the full path.
    std::string write(std::string_view rel, std::string_view content) const {
        std::string full = *this / rel;
        std::filesystem::create_directories(std::filesystem::path(full).parent_path());
        std::ofstream(full, std::ios::binary).write(content.data(), static_cast<std::streamsize>(content.size()));
        return full;
    }
    std::string mkdir(std::string_view rel) const {
        std::string full = *this / rel;
        std::filesystem::create_directories(full);
        return full;
    }

private:
    std::string path_;
};

inline bool have(const char* path) { return ::access(path, X_OK) == 0; }

/// Distinct bytes so that an offset mistake shows.
inline std::string file_pattern(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 26) % 26);
    return s;
}

class WebFilesTest : public http_test::HttpServerTest {
protected:
    /// Serves `handler` on 127.0.0.1:0 while `body(port)` runs, then shuts the server down.
    template <class Body>
    void serve(aio::http::Handler handler, Body body, aio::http::ServerOptions options = {}) {
        auto main = [&]() -> aio::Coro<void> {
            auto server = co_await aio::http::serve(handler, "127.0.0.1", 0, options);
            std::exception_ptr failure;
            try {
                co_await body(server->port());
            } catch (...) {
                failure = std::current_exception();
            }
            co_await server->shutdown(2s);
            if (failure) std::rethrow_exception(failure);
        };
        run(main());
    }

    /// One request on a fresh connection.
    static aio::Coro<RawResponse> request(std::uint16_t port, std::string bytes, bool head = false) {
        RawClient c = co_await RawClient::connect(port);
        co_await c.send(std::move(bytes));
        RawResponse r = co_await c.response(head);
        co_await c.close();
        co_return r;
    }

    /// Runs `program args...` (PORT replaced by `port`); its stdout, with stderr after "--".
    static aio::Coro<std::string> run_program(std::string program, std::vector<std::string> args, std::uint16_t port) {
        std::vector<std::string> argv;
        for (auto& a : args) {
            for (std::size_t at; (at = a.find("PORT")) != std::string::npos;) a.replace(at, 4, std::to_string(port));
            argv.push_back(a);
        }
        aio::SubprocessOptions po;
        po.stdout = aio::PIPE;
        po.stderr = aio::PIPE;
        aio::ProgramArgs pargs(std::move(argv));
        auto p = co_await aio::create_subprocess_exec(program, std::move(pargs), po);
        auto [out, err] = co_await aio::wait_for(p.communicate(), 20s);
        EXPECT_EQ(p.returncode().value_or(-1), 0) << err;
        co_return out + "--" + err;
    }
};

}  // namespace web_files_test
