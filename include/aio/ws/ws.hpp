#pragma once
/// The umbrella header of aio::ws: the WebSocket connection (server accept, the client's
/// ClientSession::ws_connect, the thread-safe writer) and its messages. The codec's headers
/// (frame, message_reader, message_writer, deflate, handshake) are for writing a transport of
/// one's own and are not included.

#include "aio/http/client.hpp"
#include "aio/ws/message.hpp"
#include "aio/ws/websocket.hpp"
