#pragma once
// The fixture of the tests that talk to a real redis-server: a fresh server per test on a free
// port (support/redis_server.hpp), on the I/O test loop.

#include <string>

#include "support/io_fixture.hpp"
#include "support/redis_server.hpp"

namespace aio_test {

class RedisTest : public aio_io_test::IoTest {
protected:
    RedisServer server;
    // URLs and keys are named before co_await: g++ 12 destroys string temporaries inside it twice.
    const std::string url = server.url();
};

}  // namespace aio_test
