#include "aio/queues/queue_errors.hpp"

namespace aio {

QueueEmpty::QueueEmpty() : std::runtime_error("QueueEmpty: the queue is empty") {}
QueueEmpty::QueueEmpty(const std::string& what) : std::runtime_error(what) {}

QueueFull::QueueFull() : std::runtime_error("QueueFull: the queue is full") {}
QueueFull::QueueFull(const std::string& what) : std::runtime_error(what) {}

QueueShutDown::QueueShutDown() : std::runtime_error("QueueShutDown: the queue is shut down") {}
QueueShutDown::QueueShutDown(const std::string& what) : std::runtime_error(what) {}

}  // namespace aio
