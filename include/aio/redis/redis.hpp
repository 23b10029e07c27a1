#pragma once
/// The umbrella header for aio::redis, the Redis client (redis-py's `redis.asyncio`).

#include "aio/redis/client.hpp"
#include "aio/redis/pubsub.hpp"
#include "aio/redis/reply.hpp"
#include "aio/redis/resp_parser.hpp"
