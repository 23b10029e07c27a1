// web::Request's form and cookies (declared by web-core in request.hpp): both read once and kept,
// as aiohttp's request.post() and request.cookies are.

#include "aio/web/cookies.hpp"
#include "aio/web/form.hpp"
#include "aio/web/request.hpp"

namespace aio::web {

Coro<std::reference_wrapper<const FormData>> Request::post() {
    if (!form_) {
        FormOptions options;
        FormData form = co_await read_form(*this, options);
        form_ = std::make_shared<FormData>(std::move(form));
    }
    co_return std::cref(*form_);
}

const MultiDict& Request::cookies() const {
    if (!cookies_) {
        MultiDict out;
        for (const auto& [name, value] : parse_request_cookies(*this)) out.add(name, value);
        cookies_ = std::move(out);
    }
    return *cookies_;
}

}  // namespace aio::web
