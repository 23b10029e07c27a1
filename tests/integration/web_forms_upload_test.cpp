// read_form and MultipartReader over real sockets: urlencoded and multipart bodies, curl -F as a
// real client, a 64 MiB upload streamed to disk without the server's memory growing by it, the
// limits and malformed bodies, and cookies both ways.

#include <dirent.h>

#include <fstream>
#include <sstream>

#include "aio/web/cookies.hpp"
#include "aio/web/form.hpp"
#include "aio/web/multipart.hpp"
#include "web_files_fixture.hpp"

using namespace web_files_test;

namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::size_t entries_in(const std::string& dir) {
    std::size_t n = 0;
    if (DIR* d = ::opendir(dir.c_str())) {
        while (dirent* e = ::readdir(d))
            if (std::string_view(e->d_name) != "." && std::string_view(e->d_name) != "..") ++n;
        ::closedir(d);
    }
    return n;
}

// The resident set's peak (VmHWM, KiB), after clear_refs reset it to the current size.
long peak_rss_kib() {
    std::ifstream in("/proc/self/status");
    for (std::string line; std::getline(in, line);)
        if (line.starts_with("VmHWM:")) return std::stol(line.substr(6));
    return -1;
}

bool reset_peak_rss() { return static_cast<bool>(std::ofstream("/proc/self/clear_refs") << "5"); }

std::string post(std::string_view path, std::string_view content_type, std::string_view body) {
    std::string r = "POST " + std::string(path) + " HTTP/1.1\r\nHost: t\r\nContent-Type: " + std::string(content_type) +
                    "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    r.append(body);
    return r;
}

class WebForms : public WebFilesTest {
protected:
    /// A handler that reads the form (into `uploads`) and describes it: name=value or
    /// name=<filename:size:content type> per field, joined by '&'.
    aio::http::Handler describing(aio::web::FormOptions options) {
        return [this, options](aio::http::Request& req) -> aio::Coro<aio::http::Response> {
            aio::web::FormData form = co_await aio::web::read_form(req, options);
            std::string out;
            for (const auto& f : form) {
                if (!out.empty()) out += '&';
                out += f.name + "=";
                if (const aio::web::FileField* file = f.file()) {
                    out += "<" + file->filename + ":" + std::to_string(file->size) + ":" + file->content_type + ">";
                    temp_paths.push_back(file->path);
                    file_contents.push_back(read_file(file->path));
                } else {
                    out += f.text();
                }
            }
            co_return aio::http::Response(out);
        };
    }
    aio::web::FormOptions in_temp() {
        aio::web::FormOptions o;
        o.temp_dir = uploads.path();
        return o;
    }
    RawResponse send(aio::http::Handler h, std::string bytes) {
        RawResponse out;
        auto body = [&](std::uint16_t port) -> aio::Coro<void> { out = co_await request(port, bytes); };
        serve(h, body);
        return out;
    }
    TempDir uploads;
    std::vector<std::string> temp_paths;
    std::vector<std::string> file_contents;
};

const std::string kMultipart =
    "--b0undary\r\n"
    "Content-Disposition: form-data; name=\"title\"\r\n\r\n"
    "My file\r\n"
    "--b0undary\r\n"
    "Content-Disposition: form-data; name=\"doc\"; filename=\"notes.txt\"\r\n"
    "Content-Type: text/plain\r\n\r\n"
    "line one\r\nline two\r\n"
    "--b0undary\r\n"
    "Content-Disposition: form-data; name=\"tag\"\r\n\r\n"
    "a\r\n"
    "--b0undary\r\n"
    "Content-Disposition: form-data; name=\"tag\"\r\n\r\n"
    "b\r\n"
    "--b0undary--\r\n";

}  // namespace

TEST_F(WebForms, UrlencodedFieldsAreDecoded) {
    RawResponse r = send(describing(in_temp()),
                         post("/", "application/x-www-form-urlencoded", "a=1&b=hello+world&c=%26%3D&a=2"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "a=1&b=hello world&c=&=&a=2");
}

TEST_F(WebForms, MultipartTextFieldsAndAFileStreamedToATemporaryFile) {
    RawResponse r = send(describing(in_temp()), post("/", "multipart/form-data; boundary=b0undary", kMultipart));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "title=My file&doc=<notes.txt:18:text/plain>&tag=a&tag=b");
    ASSERT_EQ(file_contents.size(), 1u);
    EXPECT_EQ(file_contents[0], "line one\r\nline two");
    EXPECT_TRUE(temp_paths[0].starts_with(uploads.path()));
    EXPECT_EQ(entries_in(uploads.path()), 0u) << "the FormData left its temporary file";
}

TEST_F(WebForms, OtherContentTypesGiveAnEmptyForm) {
    EXPECT_EQ(send(describing(in_temp()), post("/", "application/json", "{\"a\":1}")).body, "");
}

TEST_F(WebForms, AMissingFinalBoundaryIs400AndLeavesNoTemporaryFile) {
    std::string cut = kMultipart.substr(0, kMultipart.find("--b0undary\r\nContent-Disposition: form-data; name=\"tag\""));
    cut.resize(cut.size() - 2);  // inside the file part's body, before its delimiter
    EXPECT_EQ(send(describing(in_temp()), post("/", "multipart/form-data; boundary=b0undary", cut)).status, 400);
    EXPECT_EQ(entries_in(uploads.path()), 0u);
}

TEST_F(WebForms, ABadOrMissingBoundaryIs400) {
    EXPECT_EQ(send(describing(in_temp()), post("/", "multipart/form-data", kMultipart)).status, 400);
    EXPECT_EQ(send(describing(in_temp()), post("/", "multipart/form-data; boundary=other", kMultipart)).status, 400);
}

TEST_F(WebForms, TooManyFieldsATooLargeFileOrBodyIs413) {
    aio::web::FormOptions few = in_temp();
    few.max_fields = 3;
    EXPECT_EQ(send(describing(few), post("/", "multipart/form-data; boundary=b0undary", kMultipart)).status, 413);
    EXPECT_EQ(send(describing(few), post("/", "application/x-www-form-urlencoded", "a&b&c&d")).status, 413);
    aio::web::FormOptions small_file = in_temp();
    small_file.max_file_size = 10;
    EXPECT_EQ(send(describing(small_file), post("/", "multipart/form-data; boundary=b0undary", kMultipart)).status,
              413);
    EXPECT_EQ(entries_in(uploads.path()), 0u) << "a refused upload left its temporary file";
    aio::web::FormOptions small = in_temp();
    small.max_size = 100;
    EXPECT_EQ(send(describing(small), post("/", "multipart/form-data; boundary=b0undary", kMultipart)).status, 413);
    EXPECT_EQ(send(describing(small), post("/", "application/x-www-form-urlencoded", std::string(101, 'a'))).status,
              413);
}

TEST_F(WebForms, TheServersClientMaxSizeBoundsAFormByDefault) {
    aio::http::ServerOptions so;
    so.client_max_size = 50;
    RawResponse out;
    auto body = [&](std::uint16_t port) -> aio::Coro<void> {
        out = co_await request(port, post("/", "multipart/form-data; boundary=b0undary", kMultipart));
    };
    serve(describing(in_temp()), body, so);
    EXPECT_EQ(out.status, 413);
}

TEST_F(WebForms, CurlUploadsAFileAndAField) {
    if (!have("/usr/bin/curl")) GTEST_SKIP() << "curl is not installed (/usr/bin/curl)";
    TempDir src;
    std::string content = file_pattern(300000);
    std::string path = src.write("photo.png", content);
    std::string out;
    auto body = [&](std::uint16_t port) -> aio::Coro<void> {
        // Named first: g++ 12 destroys a braced temporary with owning members inside co_await twice.
        std::vector<std::string> args{"-s", "-F", "caption=sunset at sea", "-F", "img=@" + path, "http://127.0.0.1:PORT/"};
        out = co_await run_program("/usr/bin/curl", std::move(args), port);
    };
    serve(describing(in_temp()), body);
    EXPECT_EQ(out.substr(0, out.find("--")), "caption=sunset at sea&img=<photo.png:300000:image/png>");
    ASSERT_EQ(file_contents.size(), 1u);
    EXPECT_TRUE(file_contents[0] == content) << "the uploaded bytes differ";
}

TEST_F(WebForms, A64MiBUploadIsStreamedToDiskNotHeldInMemory) {
    if (!reset_peak_rss()) GTEST_SKIP() << "/proc/self/clear_refs is not writable here";
    constexpr std::size_t kSize = 64u << 20;
    aio::web::FormOptions big = in_temp();
    big.max_size = 128u << 20;
    std::uint64_t seen_size = 0;
    std::uint64_t seen_sum = 0;
    auto handler = [&](aio::http::Request& req) -> aio::Coro<aio::http::Response> {
        aio::web::FormData form = co_await aio::web::read_form(req, big);
        const aio::web::FileField* f = form.file("blob");
        if (f) {
            seen_size = f->size;
            std::ifstream in(f->path, std::ios::binary);
            std::vector<char> buf(1 << 16);
            while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
                for (std::streamsize i = 0; i < in.gcount(); ++i) seen_sum += static_cast<unsigned char>(buf[i]);
            }
        }
        co_return aio::http::Response("done");
    };
    const std::string head_part = "--XX\r\nContent-Disposition: form-data; name=\"blob\"; filename=\"big.bin\"\r\n\r\n";
    const std::string tail_part = "\r\n--XX--\r\n";
    std::string chunk = file_pattern(1 << 16);
    std::uint64_t sum = 0;
    for (unsigned char c : chunk) sum += c;
    long before = 0, peak = 0;
    RawResponse r;
    auto body = [&](std::uint16_t port) -> aio::Coro<void> {
        RawClient c = co_await RawClient::connect(port);
        std::size_t total = head_part.size() + kSize + tail_part.size();
        co_await c.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Type: multipart/form-data; boundary=XX\r\n"
                        "Content-Length: " + std::to_string(total) + "\r\n\r\n" + head_part);
        reset_peak_rss();
        before = peak_rss_kib();
        for (std::size_t sent = 0; sent < kSize; sent += chunk.size()) co_await c.send(chunk);
        co_await c.send(tail_part);
        r = co_await c.response();
        peak = peak_rss_kib();
        co_await c.close();
    };
    serve(handler, body);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(seen_size, kSize);
    EXPECT_EQ(seen_sum, sum * (kSize / chunk.size()));
    RecordProperty("peak_rss_growth_kib", static_cast<int>(peak - before));
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    // The sanitizers' allocators keep freed blocks (ASan's quarantine holds up to 256 MiB), so RSS
    // says nothing about what the server holds: the bound is checked in the plain builds.
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#else
    EXPECT_LT(peak - before, 16 * 1024) << "the peak RSS grew by " << (peak - before) << " KiB during the upload";
#endif
#else
    EXPECT_LT(peak - before, 16 * 1024) << "the peak RSS grew by " << (peak - before) << " KiB during the upload";
#endif
    EXPECT_EQ(entries_in(uploads.path()), 0u);
}

TEST_F(WebForms, MultipartReaderStreamsEachPart) {
    std::string seen;
    auto handler = [&](aio::http::Request& req) -> aio::Coro<aio::http::Response> {
        aio::web::MultipartReader reader(req);
        while (aio::web::BodyPartReader* part = co_await reader.next()) {
            seen += part->name() + "[" + std::string(part->content_type()) + "]:";
            if (part->name() == "tag") continue;  // next() skips what is left
            for (;;) {
                std::string c = co_await part->read_chunk(3);
                if (c.empty()) break;
                EXPECT_LE(c.size(), 3u);
                seen += c;
            }
            seen += ";";
        }
        EXPECT_TRUE(reader.at_eof());
        co_return aio::http::Response("ok");
    };
    EXPECT_EQ(send(handler, post("/", "multipart/form-data; boundary=b0undary", kMultipart)).status, 200);
    EXPECT_EQ(seen, "title[text/plain]:My file;doc[text/plain]:line one\r\nline two;tag[text/plain]:tag[text/plain]:");
}

TEST_F(WebForms, CookiesAreReadFromTheRequestAndSetOnTheResponse) {
    auto handler = [](aio::http::Request& req) -> aio::Coro<aio::http::Response> {
        aio::web::Cookies c = aio::web::parse_request_cookies(req);
        aio::http::Response resp(std::string(c.get("session", "none")) + "," + std::string(c.get("theme", "none")));
        resp.set_cookie("session", "new", {.max_age = 60, .httponly = true, .samesite = "Strict"});
        resp.del_cookie("theme");
        co_return resp;
    };
    RawResponse out;
    auto body = [&](std::uint16_t port) -> aio::Coro<void> {
        out = co_await request(port, http_test::get("/", "Cookie: session=abc; bad; theme=\"dark\"\r\n"));
    };
    serve(handler, body);
    EXPECT_EQ(out.body, "abc,dark");
    EXPECT_NE(out.head.find("Set-Cookie: session=new; Max-Age=60; Path=/; SameSite=Strict; HttpOnly\r\n"),
              std::string::npos)
        << out.head;
    EXPECT_NE(out.head.find("Set-Cookie: theme=; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/\r\n"),
              std::string::npos)
        << out.head;
}
