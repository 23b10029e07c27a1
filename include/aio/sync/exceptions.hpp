#pragma once
/// The exceptions of aio's sync layer, mirroring asyncio's.

#include <stdexcept>

#include "aio/core/exceptions.hpp"

namespace aio {

// ValueError lives in aio/core/exceptions.hpp: queues throw it too.

/// A Barrier was aborted or reset while a task waited on it, or is broken
/// (asyncio.BrokenBarrierError, a RuntimeError).
class BrokenBarrierError : public RuntimeError {
public:
    using RuntimeError::RuntimeError;
};

}  // namespace aio
