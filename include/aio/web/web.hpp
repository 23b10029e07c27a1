#pragma once
/// The umbrella header of aio::web (aiohttp.web's names in one include).

#include "aio/web/application.hpp"
#include "aio/web/frozen_list.hpp"
#include "aio/web/handler.hpp"
#include "aio/web/http_exceptions.hpp"
#include "aio/web/match_info.hpp"
#include "aio/web/middlewares.hpp"
#include "aio/web/multidict.hpp"
#include "aio/web/request.hpp"
#include "aio/web/router.hpp"
#include "aio/web/state.hpp"
#include "aio/web/view.hpp"
