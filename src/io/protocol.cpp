#include "aio/io/protocol.hpp"

#include <algorithm>
#include <cstring>

#include "aio/core/exceptions.hpp"
#include "aio/io/transport.hpp"

namespace aio {

// The transport calls deliver_connection_made(BaseTransport&); these hand the protocol the
// transport of its kind.
void Protocol::deliver_connection_made(BaseTransport& t) { connection_made(dynamic_cast<Transport&>(t)); }

void BufferedProtocol::data_received(std::string_view data) {
    // asyncio's protocols._feed_data_to_buffered_proto.
    while (!data.empty()) {
        std::span<char> buf = get_buffer(data.size());
        if (buf.empty()) throw RuntimeError("get_buffer() returned an empty buffer");
        std::size_t n = std::min(buf.size(), data.size());
        std::memcpy(buf.data(), data.data(), n);
        buffer_updated(n);
        data.remove_prefix(n);
    }
}

void DatagramProtocol::deliver_connection_made(BaseTransport& t) {
    connection_made(dynamic_cast<DatagramTransport&>(t));
}

void WriteTransport::writelines(std::span<const std::string_view> pieces) {
    for (auto p : pieces) write(p);
}

}  // namespace aio
