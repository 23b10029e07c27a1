#include "aio/io/protocol.hpp"

#include "aio/io/transport.hpp"

namespace aio {

// The transport calls deliver_connection_made(BaseTransport&); these hand the protocol the
// transport of its kind.
void Protocol::deliver_connection_made(BaseTransport& t) { connection_made(dynamic_cast<Transport&>(t)); }

void DatagramProtocol::deliver_connection_made(BaseTransport& t) {
    connection_made(dynamic_cast<DatagramTransport&>(t));
}

void WriteTransport::writelines(std::span<const std::string_view> pieces) {
    for (auto p : pieces) write(p);
}

}  // namespace aio
