// Compiles every public header of aio::web together, so a header that does not stand on its
// own fails the library's build rather than a user's.

#include "aio/web/web.hpp"
