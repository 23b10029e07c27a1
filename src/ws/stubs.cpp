// Temporary bodies so that the headers link while the codec is written (removed piece by piece).
#include "aio/core/exceptions.hpp"
#include "aio/ws/deflate.hpp"
#include "aio/ws/frame.hpp"
#include "aio/ws/handshake.hpp"
#include "aio/ws/message.hpp"
#include "aio/ws/message_reader.hpp"
#include "aio/ws/message_writer.hpp"
#include "aio/ws/utf8.hpp"

#include <nlohmann/json.hpp>

namespace aio::ws {
namespace {
[[noreturn]] void todo() { throw RuntimeError("aio::ws: not implemented yet"); }
}  // namespace

const char* name(WSMsgType) noexcept { return "?"; }
nlohmann::json WSMessage::json() const { todo(); }

std::size_t encode_frame_header(const FrameHeader&, std::span<char, max_frame_header_size>) noexcept { return 0; }
std::size_t decode_frame_header(std::string_view, FrameHeader&) { todo(); }
void apply_mask(std::span<char>, MaskKey, std::uint64_t) noexcept {}
void copy_masked(char*, const char*, std::size_t, MaskKey, std::uint64_t) noexcept {}
MaskKey random_mask_key() { todo(); }

bool Utf8Validator::feed(std::string_view) noexcept { return false; }
bool is_valid_utf8(std::string_view) noexcept { return false; }

std::optional<DeflateParams> negotiate_deflate(std::string_view, const DeflateServerOptions&) { todo(); }
std::string format_deflate_response(const DeflateParams&) { todo(); }
std::string format_deflate_offer(const DeflateClientOptions&) { todo(); }
std::optional<DeflateParams> parse_deflate_response(std::string_view, const DeflateClientOptions&) { todo(); }
struct Deflater::Stream {};
Deflater::Deflater(int, bool, int) { todo(); }
Deflater::~Deflater() = default;
Deflater::Deflater(Deflater&&) noexcept = default;
Deflater& Deflater::operator=(Deflater&&) noexcept = default;
void Deflater::compress(std::string_view, std::string&) { todo(); }
struct Inflater::Stream {};
Inflater::Inflater(int, bool) { todo(); }
Inflater::~Inflater() = default;
Inflater::Inflater(Inflater&&) noexcept = default;
Inflater& Inflater::operator=(Inflater&&) noexcept = default;
void Inflater::inflate(std::string_view, std::string&, std::size_t) { todo(); }
void Inflater::finish(std::string&, std::size_t) { todo(); }
Deflater make_deflater(const DeflateParams&, Role, int) { todo(); }
Inflater make_inflater(const DeflateParams&, Role) { todo(); }

MessageReader::MessageReader(ReaderOptions options) : options_(options) {}
std::size_t MessageReader::feed(std::string_view) { todo(); }
std::optional<WSMessage> MessageReader::next() { todo(); }

MessageWriter::MessageWriter(WriterOptions options) : options_(options) {}
void MessageWriter::text(std::string&, std::string_view, bool) { todo(); }
void MessageWriter::binary(std::string&, std::string_view, bool) { todo(); }
void MessageWriter::ping(std::string&, std::string_view) { todo(); }
void MessageWriter::pong(std::string&, std::string_view) { todo(); }
void MessageWriter::close(std::string&, std::uint16_t, std::string_view) { todo(); }
void MessageWriter::close_empty(std::string&) { todo(); }

std::string accept_key(std::string_view) { todo(); }
std::string make_key() { todo(); }
bool is_valid_key(std::string_view) noexcept { return false; }
std::string ServerHandshake::response_head() const { todo(); }
ServerHandshake server_handshake(const http::RequestHead&, const ServerHandshakeOptions&) { todo(); }
ClientHandshakeResult ClientHandshake::check_response(int, const http::Headers&, const std::string&) const { todo(); }
ClientHandshakeResult ClientHandshake::check_response(const http::ResponseHead&, const std::string&) const { todo(); }
ClientHandshake client_handshake(ClientHandshakeOptions) { todo(); }

}  // namespace aio::ws
