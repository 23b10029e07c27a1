#include "aio/http/parser.hpp"

namespace aio::http {

int status_of(ParseError e) noexcept {
    switch (e) {
        case ParseError::none:
            return 0;
        case ParseError::request_line_too_long:
            return 414;
        case ParseError::headers_too_large:
        case ParseError::too_many_headers:
        case ParseError::trailers_too_large:
            return 431;
        case ParseError::unsupported_version:
            return 505;
        case ParseError::unknown_transfer_coding:
            return 501;
        case ParseError::body_too_large:
            return 413;
        default:
            return 400;
    }
}

std::string_view name(ParseError e) noexcept {
    switch (e) {
        case ParseError::none:
            return "none";
        case ParseError::bad_method:
            return "bad_method";
        case ParseError::bad_target:
            return "bad_target";
        case ParseError::bad_version:
            return "bad_version";
        case ParseError::unsupported_version:
            return "unsupported_version";
        case ParseError::bad_request_line:
            return "bad_request_line";
        case ParseError::bad_status_line:
            return "bad_status_line";
        case ParseError::bad_status:
            return "bad_status";
        case ParseError::request_line_too_long:
            return "request_line_too_long";
        case ParseError::bad_header_name:
            return "bad_header_name";
        case ParseError::space_before_colon:
            return "space_before_colon";
        case ParseError::bad_header_value:
            return "bad_header_value";
        case ParseError::obs_fold:
            return "obs_fold";
        case ParseError::bare_cr:
            return "bare_cr";
        case ParseError::bad_line_ending:
            return "bad_line_ending";
        case ParseError::headers_too_large:
            return "headers_too_large";
        case ParseError::too_many_headers:
            return "too_many_headers";
        case ParseError::missing_host:
            return "missing_host";
        case ParseError::duplicate_host:
            return "duplicate_host";
        case ParseError::bad_content_length:
            return "bad_content_length";
        case ParseError::conflicting_content_length:
            return "conflicting_content_length";
        case ParseError::content_length_and_chunked:
            return "content_length_and_chunked";
        case ParseError::bad_transfer_encoding:
            return "bad_transfer_encoding";
        case ParseError::unknown_transfer_coding:
            return "unknown_transfer_coding";
        case ParseError::bad_chunk_size:
            return "bad_chunk_size";
        case ParseError::bad_chunk_extension:
            return "bad_chunk_extension";
        case ParseError::bad_chunk_end:
            return "bad_chunk_end";
        case ParseError::bad_trailer:
            return "bad_trailer";
        case ParseError::trailers_too_large:
            return "trailers_too_large";
        case ParseError::body_too_large:
            return "body_too_large";
        case ParseError::truncated_body:
            return "truncated_body";
    }
    return "unknown";
}

}  // namespace aio::http
