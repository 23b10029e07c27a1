// ContentDecoder and ContentEncoder: round trips at every piece size, streams made by other
// tools (Python's gzip and zlib), a decompression bomb, corrupt and truncated input, gzip members
// one after another, and the sync-flushed raw deflate that permessage-deflate uses.

#include "aio/http/content_decoder.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

using aio::http::ContentCoding;
using aio::http::ContentDecoder;
using aio::http::ContentEncoder;
using aio::http::ContentEncodingError;
using aio::http::DecompressionLimitError;

namespace {

// Made by Python: gzip.compress(b"hello, world\n", mtime=0), a raw deflate of
// b"raw deflate body", and zlib.compress(b"zlib body").
const std::string kPythonGzip(
    "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xcb\x48\xcd\xc9\xc9\xd7\x51\x28\xcf\x2f\xca\x49"
    "\xe1\x02\x00\x53\x74\x24\xf4\x0d\x00\x00\x00",
    33);
const std::string kPythonRawDeflate(
    "\x2b\x4a\x2c\x57\x48\x49\x4d\xcb\x49\x2c\x49\x55\x48\xca\x4f\xa9\x04\x00", 18);
const std::string kPythonZlib(
    "\x78\x9c\xab\xca\xc9\x4c\x52\x48\xca\x4f\xa9\x04\x00\x11\x94\x03\x80", 17);

/// Bytes that compress somewhat: words from a small alphabet with random noise.
std::string sample(std::size_t size, unsigned seed) {
    std::mt19937 random(seed);
    std::uniform_int_distribution<int> kind(0, 9), byte(0, 255), letter('a', 'h');
    std::string out;
    out.reserve(size);
    while (out.size() < size) {
        out += static_cast<char>(kind(random) == 0 ? byte(random) : letter(random));
    }
    return out;
}

std::string encode(ContentCoding coding, std::string_view data) {
    ContentEncoder encoder(coding);
    std::string out;
    encoder.compress(data, out);
    encoder.finish(out);
    return out;
}

std::string decode_in_pieces(ContentCoding coding, std::string_view wire, std::size_t piece,
                             std::size_t max_size = ContentDecoder::kDefaultMaxSize) {
    ContentDecoder decoder(coding, max_size);
    std::string out;
    for (std::size_t i = 0; i < wire.size(); i += piece) decoder.feed(wire.substr(i, piece), out);
    decoder.finish();
    return out;
}

constexpr ContentCoding kCompressed[] = {ContentCoding::gzip, ContentCoding::deflate,
                                         ContentCoding::raw_deflate};

}  // namespace

TEST(ContentDecoder, DecodesStreamsMadeByPython) {
    EXPECT_EQ(decode_in_pieces(ContentCoding::gzip, kPythonGzip, 1000), "hello, world\n");
    EXPECT_EQ(decode_in_pieces(ContentCoding::deflate, kPythonZlib, 1000), "zlib body");
    EXPECT_EQ(decode_in_pieces(ContentCoding::deflate, kPythonRawDeflate, 1000), "raw deflate body")
        << "deflate takes a raw stream too, as browsers do";
    EXPECT_EQ(decode_in_pieces(ContentCoding::raw_deflate, kPythonRawDeflate, 1000),
              "raw deflate body");
    EXPECT_EQ(decode_in_pieces(ContentCoding::deflate, kPythonRawDeflate, 1), "raw deflate body");
    EXPECT_EQ(decode_in_pieces(ContentCoding::deflate, kPythonZlib, 1), "zlib body");
}

TEST(ContentDecoder, RoundTripsRandomDataAtEveryPieceSize) {
    const std::string data = sample(3000, 1);
    for (ContentCoding coding : kCompressed) {
        const std::string wire = encode(coding, data);
        ASSERT_LT(wire.size(), data.size());
        for (std::size_t piece = 1; piece <= wire.size(); ++piece) {
            ASSERT_EQ(decode_in_pieces(coding, wire, piece), data)
                << "coding " << static_cast<int>(coding) << ", piece " << piece;
        }
    }
}

TEST(ContentDecoder, RoundTripsLargeInputWhoseOutputComesInManySteps) {
    const std::string data = sample(256 << 10, 2);
    for (ContentCoding coding : kCompressed) {
        for (std::size_t piece : {std::size_t{7}, std::size_t{4096}, std::size_t{256} << 10}) {
            EXPECT_EQ(decode_in_pieces(coding, encode(coding, data), piece), data);
        }
    }
}

TEST(ContentEncoder, EncodesInputGivenInEveryPieceSize) {
    const std::string data = sample(2000, 3);
    for (ContentCoding coding : kCompressed) {
        for (std::size_t piece = 1; piece <= 300; ++piece) {
            ContentEncoder encoder(coding);
            std::string wire;
            for (std::size_t i = 0; i < data.size(); i += piece) {
                encoder.compress(std::string_view(data).substr(i, piece), wire);
            }
            encoder.finish(wire);
            ASSERT_EQ(decode_in_pieces(coding, wire, 64), data) << piece;
        }
    }
}

TEST(ContentDecoder, GzipMembersOneAfterAnotherAreAllDecoded) {
    const std::string wire = encode(ContentCoding::gzip, "hello, ") + kPythonGzip +
                             encode(ContentCoding::gzip, "") + encode(ContentCoding::gzip, "bye");
    for (std::size_t piece = 1; piece <= wire.size(); ++piece) {
        ASSERT_EQ(decode_in_pieces(ContentCoding::gzip, wire, piece), "hello, hello, world\nbye")
            << piece;
    }
}

TEST(ContentDecoder, ABombIsStoppedAtTheLimitNotInflatedWhole) {
    // 64 MiB of zeros, about 64 KiB compressed, against a 1 MiB limit.
    ContentEncoder encoder(ContentCoding::gzip, 9);
    const std::string zeros(1 << 20, '\0');
    std::string bomb;
    for (int i = 0; i < 64; ++i) encoder.compress(zeros, bomb);
    encoder.finish(bomb);
    ASSERT_LT(bomb.size(), std::size_t{80} << 10);

    constexpr std::size_t kLimit = 1 << 20;
    ContentDecoder decoder(ContentCoding::gzip, kLimit);
    std::string out;
    try {
        decoder.feed(bomb, out);
        FAIL() << "no DecompressionLimitError";
    } catch (const DecompressionLimitError& e) {
        EXPECT_NE(std::string(e.what()).find("1048576"), std::string::npos) << e.what();
    }
    EXPECT_LE(out.size(), kLimit + 1);
    EXPECT_THROW(decoder.feed("more", out), ContentEncodingError) << "unusable after the error";
    EXPECT_THROW(decoder.finish(), ContentEncodingError);
}

TEST(ContentDecoder, OutputExactlyAtTheLimitIsAllowed) {
    const std::string data = sample(5000, 4);
    for (ContentCoding coding : kCompressed) {
        EXPECT_EQ(decode_in_pieces(coding, encode(coding, data), 100, data.size()), data);
        EXPECT_THROW(decode_in_pieces(coding, encode(coding, data), 100, data.size() - 1),
                     DecompressionLimitError);
    }
}

TEST(ContentDecoder, IdentityPassesBytesThroughUnderTheLimit) {
    ContentDecoder decoder(ContentCoding::identity, 10);
    std::string out;
    decoder.feed("hello", out);
    decoder.feed("world", out);
    EXPECT_EQ(out, "helloworld");
    EXPECT_THROW(decoder.feed("!", out), DecompressionLimitError);
    EXPECT_EQ(out, "helloworld");
}

TEST(ContentDecoder, CorruptDataIsAClearError) {
    EXPECT_THROW(decode_in_pieces(ContentCoding::gzip, "this is not gzip", 100),
                 ContentEncodingError);
    EXPECT_THROW(decode_in_pieces(ContentCoding::deflate, "\xff\xff\xff\xff garbage", 100),
                 ContentEncodingError);
    // A flipped byte in a gzip or zlib stream is caught by the inflater or the checksum, unless
    // it changes nothing decoded (the gzip header's mtime, a code length for a symbol never
    // used): never wrong data with no error. Raw deflate has no checksum; it must not crash.
    const std::string data = sample(4000, 5);
    for (ContentCoding coding : kCompressed) {
        const std::string wire = encode(coding, data);
        int errors = 0, flips = 0;
        for (std::size_t at = 0; at < wire.size(); at += 7, ++flips) {
            std::string bad = wire;
            bad[at] = static_cast<char>(bad[at] ^ 0x5a);
            try {
                const std::string got = decode_in_pieces(coding, bad, 512);
                if (coding != ContentCoding::raw_deflate) {
                    EXPECT_EQ(got, data) << "wrong data, no error: flip at " << at;
                }
            } catch (const ContentEncodingError& e) {
                EXPECT_NE(std::string(e.what()).find("cannot decode"), std::string::npos);
                ++errors;
            }
        }
        if (coding != ContentCoding::raw_deflate) {
            EXPECT_GT(errors, flips * 9 / 10) << static_cast<int>(coding);
        }
    }
}

TEST(ContentDecoder, ChecksumMismatchesAreCaught) {
    std::string gz = kPythonGzip;
    gz[gz.size() - 6] ^= 1;  // the CRC-32
    EXPECT_THROW(decode_in_pieces(ContentCoding::gzip, gz, 100), ContentEncodingError);
    std::string zl = kPythonZlib;
    zl.back() ^= 1;  // the Adler-32
    EXPECT_THROW(decode_in_pieces(ContentCoding::deflate, zl, 100), ContentEncodingError);
}

TEST(ContentDecoder, FinishOnATruncatedStreamFailsAtEveryCut) {
    const std::string data = sample(1500, 6);
    for (ContentCoding coding : kCompressed) {
        const std::string wire = encode(coding, data);
        for (std::size_t cut = 1; cut < wire.size(); ++cut) {
            ContentDecoder decoder(coding);
            std::string out;
            decoder.feed(std::string_view(wire).substr(0, cut), out);
            EXPECT_THROW(decoder.finish(), ContentEncodingError)
                << "coding " << static_cast<int>(coding) << ", cut " << cut;
            EXPECT_FALSE(decoder.eof());
        }
    }
}

TEST(ContentDecoder, NoBytesAtAllIsAnEmptyBody) {
    for (ContentCoding coding : kCompressed) {
        ContentDecoder decoder(coding);
        EXPECT_NO_THROW(decoder.finish());
    }
}

TEST(ContentDecoder, DataAfterTheEndOfADeflateStreamIsRefused) {
    ContentDecoder decoder(ContentCoding::deflate);
    std::string out;
    EXPECT_THROW(decoder.feed(kPythonZlib + "x", out), ContentEncodingError);
    ContentDecoder gzip(ContentCoding::gzip);
    EXPECT_THROW(gzip.feed(kPythonGzip + "trailing garbage", out), ContentEncodingError);
}

TEST(ContentDecoder, EofAndOutputSizeReportProgress) {
    ContentDecoder decoder(ContentCoding::gzip);
    std::string out;
    decoder.feed(std::string_view(kPythonGzip).substr(0, 20), out);
    EXPECT_FALSE(decoder.eof());
    decoder.feed(std::string_view(kPythonGzip).substr(20), out);
    EXPECT_TRUE(decoder.eof());
    EXPECT_EQ(decoder.output_size(), 13u);
    decoder.finish();
}

TEST(ContentEncoder, SyncFlushEndsAtAByteBoundaryForPermessageDeflate) {
    // RFC 7692 7.2.1: compress, sync-flush, strip the final 00 00 ff ff; the receiver appends it.
    ContentEncoder encoder(ContentCoding::raw_deflate, -1, 15);
    ContentDecoder decoder(ContentCoding::raw_deflate, 1 << 20, 15);
    for (const char* message : {"Hello", "Hello", "a longer message, Hello Hello Hello"}) {
        std::string frame;
        encoder.compress(message, frame);
        encoder.flush(frame);
        ASSERT_GE(frame.size(), 4u);
        EXPECT_EQ(frame.substr(frame.size() - 4), std::string("\x00\x00\xff\xff", 4));
        frame.resize(frame.size() - 4);
        std::string got;
        decoder.feed(frame, got);
        decoder.feed(std::string("\x00\x00\xff\xff", 4), got);
        EXPECT_EQ(got, message);
        decoder.restart_count();
        EXPECT_EQ(decoder.output_size(), 0u);
    }
}

TEST(ContentEncoder, ResetStartsAFreshStreamWithoutContextTakeover) {
    ContentEncoder encoder(ContentCoding::raw_deflate, -1, 9);
    std::string first, second;
    encoder.compress("Hello", first);
    encoder.flush(first);
    encoder.reset();
    encoder.compress("Hello", second);
    encoder.flush(second);
    EXPECT_EQ(first, second) << "the second message does not refer back to the first";
    ContentDecoder decoder(ContentCoding::raw_deflate, 1 << 20, 9);
    EXPECT_EQ(decoder.feed(first), "Hello");
    decoder.reset();
    EXPECT_EQ(decoder.feed(second), "Hello");
}

TEST(ContentEncoder, BadSettingsAndUseAfterFinishAreErrors) {
    EXPECT_THROW(ContentEncoder(ContentCoding::raw_deflate, -1, 8), aio::ValueError);
    EXPECT_THROW(ContentEncoder(ContentCoding::gzip, 10), aio::ValueError);
    EXPECT_THROW(ContentDecoder(ContentCoding::raw_deflate, 100, 16), aio::ValueError);
    ContentEncoder encoder(ContentCoding::gzip);
    std::string out;
    encoder.finish(out);
    EXPECT_THROW(encoder.compress("x", out), aio::InvalidStateError);
    encoder.reset();
    encoder.compress("x", out);
}

TEST(ContentEncoder, IdentityCopies) {
    ContentEncoder encoder(ContentCoding::identity);
    std::string out;
    encoder.compress("abc", out);
    encoder.finish(out);
    EXPECT_EQ(out, "abc");
}

TEST(ContentCoding, NamesAreMatchedInAnyCase) {
    using aio::http::content_coding_from_name;
    EXPECT_EQ(content_coding_from_name("gzip"), ContentCoding::gzip);
    EXPECT_EQ(content_coding_from_name("X-GZip"), ContentCoding::gzip);
    EXPECT_EQ(content_coding_from_name("Deflate"), ContentCoding::deflate);
    EXPECT_EQ(content_coding_from_name("identity"), ContentCoding::identity);
    EXPECT_EQ(content_coding_from_name("br"), std::nullopt);
    EXPECT_EQ(content_coding_from_name("gzip "), std::nullopt);
}

TEST(ContentDecoder, RandomBytesAreAnErrorOrSomeOutputNeverACrash) {
    std::mt19937 random(9);
    std::uniform_int_distribution<int> byte(0, 255), length(0, 300);
    for (ContentCoding coding : kCompressed) {
        for (int i = 0; i < 2000; ++i) {
            std::string input;
            // Half of them start like a real stream, to get past the header checks.
            if (i % 2 == 0)
                input = coding == ContentCoding::gzip ? std::string("\x1f\x8b\x08\x00", 4)
                                                      : std::string("\x78\x9c");
            for (int n = length(random); n > 0; --n) input += static_cast<char>(byte(random));
            ContentDecoder decoder(coding, 1 << 16);
            try {
                std::string out;
                decoder.feed(input, out);
                decoder.finish();
                EXPECT_LE(out.size(), std::size_t{1} << 16);
            } catch (const ContentEncodingError&) {
            }
        }
    }
}
