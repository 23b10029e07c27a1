// The OSError family's messages: each says what failed and why, once each.

#include <gtest/gtest.h>
#include <netdb.h>

#include <cerrno>
#include <exception>
#include <string>
#include <system_error>

#include "aio/core/exceptions.hpp"
#include "aio/core/os_errors.hpp"
#include "sys/errors.hpp"

namespace {

// The exception raise_os_error throws, caught as its most specific class.
template <class E>
std::string what_raised(int err, const std::string& what) {
    try {
        aio::sys::raise_os_error(err, what);
    } catch (const E& e) {
        return e.what();
    } catch (const std::exception& e) {
        return std::string("wrong class: ") + e.what();
    }
}

TEST(OSErrorText, ARefusedConnectNamesTheAddressAndTheReasonOnce) {
    EXPECT_EQ(what_raised<aio::ConnectionRefusedError>(ECONNREFUSED, "connect(127.0.0.1:1)"),
              "connect(127.0.0.1:1): Connection refused");
}

TEST(OSErrorText, AnAddressInUseSaysSoOnce) {
    EXPECT_EQ(what_raised<aio::OSError>(EADDRINUSE, "error while attempting to bind on address 127.0.0.1:80"),
              "error while attempting to bind on address 127.0.0.1:80: Address already in use");
}

TEST(OSErrorText, EveryMappedErrnoAppendsItsReasonOnce) {
    EXPECT_EQ(what_raised<aio::FileNotFoundError>(ENOENT, "cannot run 'seq'"), "cannot run 'seq': No such file or directory");
    EXPECT_EQ(what_raised<aio::BrokenPipeError>(EPIPE, "write"), "write: Broken pipe");
    EXPECT_EQ(what_raised<aio::ConnectionResetError>(ECONNRESET, "read"), "read: Connection reset by peer");
    EXPECT_EQ(what_raised<aio::PermissionError>(EACCES, "open(x)"), "open(x): Permission denied");
    EXPECT_EQ(what_raised<aio::IsADirectoryError>(EISDIR, "read"), "read: Is a directory");
    EXPECT_EQ(what_raised<aio::TimeoutError>(ETIMEDOUT, "connect(10.0.0.1:80)"), "connect(10.0.0.1:80): Connection timed out");
}

TEST(OSErrorText, TheErrnoIsInErrnoCodeAndInCode) {
    aio::ConnectionRefusedError e(ECONNREFUSED, "connect(127.0.0.1:1)");
    EXPECT_EQ(e.errno_code(), ECONNREFUSED);
    EXPECT_EQ(e.code(), std::errc::connection_refused);
    const std::system_error& base = e;
    EXPECT_STREQ(base.what(), "connect(127.0.0.1:1): Connection refused");
}

TEST(OSErrorText, NoErrnoMeansTheTextAsGivenAndNoEmptyOperationMeansTheReasonAlone) {
    EXPECT_STREQ(aio::OSError(0, "Multiple exceptions: a, b").what(), "Multiple exceptions: a, b");
    EXPECT_EQ(aio::OSError(0, "x").errno_code(), 0);
    EXPECT_STREQ(aio::OSError(ENOENT, "").what(), "No such file or directory");
}

TEST(OSErrorText, ACopyOrARethrowKeepsTheText) {
    std::exception_ptr p = std::make_exception_ptr(aio::FileExistsError(EEXIST, "mkdir(d)"));
    try {
        std::rethrow_exception(p);
    } catch (const aio::OSError& e) {
        aio::OSError copy = e;
        EXPECT_STREQ(copy.what(), "mkdir(d): File exists");
        EXPECT_EQ(copy.errno_code(), EEXIST);
    }
    EXPECT_EQ(aio::describe_exception(p), "mkdir(d): File exists");
}

TEST(OSErrorText, ATimeoutErrorSaysTimedOutOrItsOwnMessageWithoutStrerror) {
    EXPECT_STREQ(aio::TimeoutError().what(), "timed out");
    EXPECT_STREQ(aio::TimeoutError("SSL shutdown timed out").what(), "SSL shutdown timed out");
    EXPECT_EQ(aio::TimeoutError().errno_code(), ETIMEDOUT);
    EXPECT_EQ(aio::TimeoutError().code(), std::errc::timed_out);
    EXPECT_EQ(aio::describe_exception(std::make_exception_ptr(aio::TimeoutError())), "TimeoutError: timed out");
}

TEST(GaiErrorText, ANameThatDoesNotResolveSaysSoOnceAndHasNoErrno) {
    aio::GaiError e(EAI_NONAME, "getaddrinfo(no-such-host.invalid)");
    EXPECT_STREQ(e.what(), "getaddrinfo(no-such-host.invalid): Name or service not known");
    EXPECT_EQ(e.eai_code(), EAI_NONAME);
    EXPECT_EQ(e.errno_code(), 0);  // an EAI code is not an errno
    EXPECT_EQ(e.code().value(), EAI_NONAME);
    EXPECT_EQ(&e.code().category(), &aio::gai_category());
    EXPECT_STREQ(e.code().category().name(), "getaddrinfo");
}

TEST(GaiErrorText, ErrnoAppliesOnlyToEaiSystemAndThenItIsTheReason) {
    aio::GaiError sys(EAI_SYSTEM, "getaddrinfo(example.org)", EMFILE);
    EXPECT_STREQ(sys.what(), "getaddrinfo(example.org): Too many open files");
    EXPECT_EQ(sys.eai_code(), EAI_SYSTEM);
    EXPECT_EQ(sys.errno_code(), EMFILE);
    EXPECT_EQ(sys.code(), std::errc::too_many_files_open);

    aio::GaiError again(EAI_AGAIN, "getaddrinfo(example.org)", EMFILE);  // a stale errno is ignored
    EXPECT_STREQ(again.what(), "getaddrinfo(example.org): Temporary failure in name resolution");
    EXPECT_EQ(again.errno_code(), 0);
}

}  // namespace
