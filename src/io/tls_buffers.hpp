#pragma once
// The buffers TLS shares between its handshake/shutdown code (tls_protocol.cpp) and its data path
// (tls_protocol_io.cpp).

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstddef>
#include <memory>

namespace aio::io::tls_detail {

// The most plain text handed to SSL_write at once, and the size of the buffers that carry
// decrypted data to the app and encrypted data to the raw transport. Encrypting in steps, and
// handing each step to the raw transport at once, keeps the outgoing BIO small: what the peer
// does not take yet waits as plain text, not as a second, encrypted copy.
constexpr std::size_t kWriteChunk = 64 * 1024;
constexpr std::size_t kBufferSize = 256 * 1024;  // asyncio's SSLProtocol.max_size

// A scratch buffer per thread, shared by every TLS connection of the loop. A nested user (the
// app's data_received writing to a TLS transport stacked on this one) gets one of its own.
class Scratch {
public:
    Scratch() {
        auto& s = slot();
        if (!s.busy) {
            if (!s.buf) s.buf.reset(new char[kBufferSize]);
            s.busy = true;
            data_ = s.buf.get();
            shared_ = true;
        } else {
            own_.reset(new char[kBufferSize]);
            data_ = own_.get();
        }
    }
    ~Scratch() {
        if (shared_) slot().busy = false;
    }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
    char* data() const noexcept { return data_; }

private:
    struct Slot {
        std::unique_ptr<char[]> buf;
        bool busy = false;
    };
    static Slot& slot() {
        thread_local Slot s;
        return s;
    }
    std::unique_ptr<char[]> own_;
    char* data_;
    bool shared_ = false;
};

inline bool is_again(int ssl_error) noexcept {
    // asyncio's SSLAgainErrors: want-read/want-write, and SSL_ERROR_SYSCALL, which memory BIOs
    // only raise for "no more data yet".
    return ssl_error == SSL_ERROR_WANT_READ || ssl_error == SSL_ERROR_WANT_WRITE ||
           (ssl_error == SSL_ERROR_SYSCALL && ERR_peek_error() == 0);
}

}  // namespace aio::io::tls_detail
