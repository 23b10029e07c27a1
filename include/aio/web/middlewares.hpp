#pragma once
/// Middlewares that aiohttp ships (aiohttp's `web_middlewares`).

#include "aio/web/handler.hpp"

namespace aio::web {

/// The options of normalize_path_middleware. Trivially destructible.
struct NormalizePathOptions {
    /// Try the path with a `/` appended.
    bool append_slash = true;
    /// Try the path without its trailing `/` (only one of append_slash and remove_slash).
    bool remove_slash = false;
    /// Collapse runs of `/` into one.
    bool merge_slashes = true;
    /// The redirect's status (308 Permanent Redirect, as aiohttp's HTTPPermanentRedirect).
    int redirect_status = 308;
};

/// aiohttp's `normalize_path_middleware`: when no route answers a path (404), tries the
/// normalised forms of the path (slashes merged, then a `/` appended or removed) and, if one
/// resolves, redirects to it (the query kept). Otherwise the 404 stands. ValueError if both
/// append_slash and remove_slash are set.
Middleware normalize_path_middleware(NormalizePathOptions options = {});

}  // namespace aio::web
