#include <aio/aio.hpp>
aio::Coro<int> answer() { co_return 42; }
int main() { return aio::run(answer()) == 42 ? 0 : 1; }
