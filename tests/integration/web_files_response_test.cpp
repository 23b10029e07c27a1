// web::file_response over real sockets: the validators and preconditions, ranges, HEAD, the
// errors, keep-alive after a file, a file past 4 GiB, and curl as a real range client.

#include <fcntl.h>
#include <sys/stat.h>

#include "aio/http/http_date.hpp"
#include "aio/web/file_response.hpp"
#include "web_files_fixture.hpp"

using namespace web_files_test;

namespace {

class WebFileResponse : public WebFilesTest {
protected:
    WebFileResponse() {
        content = file_pattern(10000);
        file = dir.write("data.txt", content);
    }
    /// Serves every request with the file at dir / (the target without its leading '/').
    aio::http::Handler handler() {
        return [this](aio::http::Request& req) -> aio::Coro<aio::http::Response> {
            std::string path = dir / req.path().substr(1);
            co_return co_await aio::web::file_response(req, path);
        };
    }
    RawResponse get(std::string target, std::string extra = {}) {
        RawResponse out;
        auto body = [&](std::uint16_t port) -> aio::Coro<void> {
            out = co_await request(port, http_test::get(target, extra));
        };
        serve(handler(), body);
        return out;
    }
    TempDir dir;
    std::string content;
    std::string file;
};

}  // namespace

TEST_F(WebFileResponse, TheWholeFileWithItsTypeLengthAndValidators) {
    RawResponse r = get("/data.txt");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, content);
    EXPECT_EQ(r.field("content-length"), "10000");
    EXPECT_EQ(r.field("content-type"), "text/plain; charset=utf-8");
    EXPECT_EQ(r.field("accept-ranges"), "bytes");
    struct stat st {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0);
    EXPECT_EQ(r.field("etag"), aio::web::file_etag(st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec, 10000));
    EXPECT_EQ(r.field("last-modified"),
              aio::http::format_http_date(std::chrono::system_clock::time_point(std::chrono::seconds(st.st_mtim.tv_sec))));
}

TEST_F(WebFileResponse, IfNoneMatchAndIfModifiedSinceAnswer304WithoutABody) {
    RawResponse first = get("/data.txt");
    RawResponse r = get("/data.txt", "If-None-Match: \"x\", " + first.field("etag") + "\r\n");
    EXPECT_EQ(r.status, 304);
    EXPECT_EQ(r.body, "");
    EXPECT_EQ(r.field("etag"), first.field("etag"));
    EXPECT_EQ(get("/data.txt", "If-None-Match: W/" + first.field("etag") + "\r\n").status, 304);
    EXPECT_EQ(get("/data.txt", "If-None-Match: *\r\n").status, 304);
    EXPECT_EQ(get("/data.txt", "If-None-Match: \"other\"\r\n").status, 200);
    EXPECT_EQ(get("/data.txt", "If-Modified-Since: " + first.field("last-modified") + "\r\n").status, 304);
    EXPECT_EQ(get("/data.txt", "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n").status, 200);
    EXPECT_EQ(get("/data.txt", "If-Modified-Since: not a date\r\n").status, 200);
    // If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
    EXPECT_EQ(get("/data.txt", "If-None-Match: \"other\"\r\nIf-Modified-Since: " + first.field("last-modified") +
                                   "\r\n").status,
              200);
}

TEST_F(WebFileResponse, IfMatchAndIfUnmodifiedSinceAnswer412) {
    RawResponse first = get("/data.txt");
    EXPECT_EQ(get("/data.txt", "If-Match: \"stale\"\r\n").status, 412);
    EXPECT_EQ(get("/data.txt", "If-Match: W/" + first.field("etag") + "\r\n").status, 412);  // strong comparison
    EXPECT_EQ(get("/data.txt", "If-Match: " + first.field("etag") + "\r\n").status, 200);
    EXPECT_EQ(get("/data.txt", "If-Unmodified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n").status, 412);
    EXPECT_EQ(get("/data.txt", "If-Unmodified-Since: " + first.field("last-modified") + "\r\n").status, 200);
}

TEST_F(WebFileResponse, SingleRangesAnswer206WithContentRange) {
    RawResponse r = get("/data.txt", "Range: bytes=100-199\r\n");
    EXPECT_EQ(r.status, 206);
    EXPECT_EQ(r.body, content.substr(100, 100));
    EXPECT_EQ(r.field("content-range"), "bytes 100-199/10000");
    EXPECT_EQ(r.field("content-length"), "100");
    r = get("/data.txt", "Range: bytes=9990-\r\n");
    EXPECT_EQ(r.body, content.substr(9990));
    EXPECT_EQ(r.field("content-range"), "bytes 9990-9999/10000");
    r = get("/data.txt", "Range: bytes=-5\r\n");
    EXPECT_EQ(r.body, content.substr(9995));
    EXPECT_EQ(r.field("content-range"), "bytes 9995-9999/10000");
}

TEST_F(WebFileResponse, AnUnsatisfiableRangeIs416WithTheSize) {
    RawResponse r = get("/data.txt", "Range: bytes=10000-\r\n");
    EXPECT_EQ(r.status, 416);
    EXPECT_EQ(r.field("content-range"), "bytes */10000");
    EXPECT_EQ(r.body, "");
}

TEST_F(WebFileResponse, SeveralRangesOrAnInvalidRangeGetTheWholeFile) {
    RawResponse r = get("/data.txt", "Range: bytes=0-1,5-6\r\n");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, content);
    EXPECT_EQ(get("/data.txt", "Range: bytes=9-1\r\n").status, 200);
    EXPECT_EQ(get("/data.txt", "Range: lines=1-2\r\n").status, 200);
}

TEST_F(WebFileResponse, IfRangeHonoursTheRangeOnlyWhileTheValidatorMatches) {
    RawResponse first = get("/data.txt");
    EXPECT_EQ(get("/data.txt", "Range: bytes=0-9\r\nIf-Range: " + first.field("etag") + "\r\n").status, 206);
    EXPECT_EQ(get("/data.txt", "Range: bytes=0-9\r\nIf-Range: " + first.field("last-modified") + "\r\n").status, 206);
    RawResponse r = get("/data.txt", "Range: bytes=0-9\r\nIf-Range: \"changed\"\r\n");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, content);
    EXPECT_EQ(get("/data.txt", "Range: bytes=0-9\r\nIf-Range: Sun, 06 Nov 1994 08:49:37 GMT\r\n").status, 200);
}

TEST_F(WebFileResponse, HeadSendsTheHeadOnlyAndTheConnectionCarriesOnAfterFiles) {
    auto body = [&](std::uint16_t port) -> aio::Coro<void> {
        RawClient c = co_await RawClient::connect(port);
        co_await c.send("HEAD /data.txt HTTP/1.1\r\nHost: t\r\n\r\n");
        RawResponse h = co_await c.response(true);
        EXPECT_EQ(h.status, 200);
        EXPECT_EQ(h.field("content-length"), "10000");
        co_await c.send(http_test::get("/data.txt", "Range: bytes=1-3\r\n") + http_test::get("/data.txt"));
        RawResponse a = co_await c.response();
        RawResponse b = co_await c.response();
        EXPECT_EQ(a.body, content.substr(1, 3));
        EXPECT_EQ(b.body, content);  // the HEAD sent no body bytes that would shift this one
        co_await c.close();
    };
    serve(handler(), body);
}

TEST_F(WebFileResponse, MissingFilesAre404DirectoriesAndFifosAre403) {
    dir.mkdir("sub");
    ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
    EXPECT_EQ(get("/missing.txt").status, 404);
    EXPECT_EQ(get("/data.txt/below").status, 404);
    EXPECT_EQ(get("/sub").status, 403);
    EXPECT_EQ(get("/fifo").status, 403);
}

TEST_F(WebFileResponse, AnUnreadableFileIs403) {
    if (::geteuid() == 0) GTEST_SKIP() << "root reads any file";
    std::string secret = dir.write("secret.txt", "x");
    ASSERT_EQ(::chmod(secret.c_str(), 0), 0);
    EXPECT_EQ(get("/secret.txt").status, 403);
}

TEST_F(WebFileResponse, OffsetsPastFourGibibytesInASparseFile) {
    const std::uint64_t size = (5ull << 30) + 100;
    int fd = ::open((dir / "big.bin").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, static_cast<off_t>(size)), 0);
    ASSERT_EQ(::pwrite(fd, "MARKER", 6, static_cast<off_t>(5ull << 30)), 6);
    ::close(fd);
    RawResponse r = get("/big.bin", "Range: bytes=5368709120-5368709125\r\n");
    EXPECT_EQ(r.status, 206);
    EXPECT_EQ(r.body, "MARKER");
    EXPECT_EQ(r.field("content-range"), "bytes 5368709120-5368709125/5368709220");
    r = get("/big.bin", "Range: bytes=-100\r\n");
    EXPECT_EQ(r.body, "MARKER" + std::string(94, '\0'));
    RawResponse h;
    auto body = [&](std::uint16_t port) -> aio::Coro<void> {
        h = co_await request(port, "HEAD /big.bin HTTP/1.1\r\nHost: t\r\n\r\n", true);
    };
    serve(handler(), body);
    EXPECT_EQ(h.field("content-length"), "5368709220");
}

TEST_F(WebFileResponse, CurlDownloadsARange) {
    if (!have("/usr/bin/curl")) GTEST_SKIP() << "curl is not installed (/usr/bin/curl)";
    std::string out;
    auto body = [&](std::uint16_t port) -> aio::Coro<void> {
        // Named first: g++ 12 rejects a braced list of literals inside co_await ("array used as
        // initializer").
        std::vector<std::string> args{"-s", "-r", "500-1499", "-w", "|%{http_code}", "http://127.0.0.1:PORT/data.txt"};
        out = co_await run_program("/usr/bin/curl", std::move(args), port);
    };
    serve(handler(), body);
    EXPECT_EQ(out.substr(0, out.find("--")), content.substr(500, 1000) + "|206");
}
