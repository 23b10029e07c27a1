#pragma once
// OpenSSL's thread-local error queue -> aio::SSLError. Every OpenSSL call that can fail is
// preceded by ERR_clear_error(), so that the queue holds only that call's errors when it is
// turned into an exception here (and emptied).

#include <exception>
#include <string>
#include <string_view>

#include "aio/io/tls.hpp"

namespace aio::io {

/// An SSLError from the queue's root cause: "<context>: <reason> (<detail>)"; `ssl_error` is the
/// SSL_ERROR_* value (SSL_ERROR_SSL when the failure did not come from SSL_get_error).
/// Empties the queue.
SSLError ssl_error_from_queue(std::string_view context, int ssl_error = 1);

/// The exception for a failed SSL_do_handshake/SSL_read/SSL_write/SSL_shutdown: an
/// SSLCertVerificationError when the peer's certificate did not verify (its message names
/// `hostname` on a name mismatch), else an SSLError. Empties the queue.
std::exception_ptr make_ssl_exception(ssl_st* ssl, int ssl_error, std::string_view context,
                                      std::string_view hostname = {});

}  // namespace aio::io
