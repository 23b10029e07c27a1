// RespParser: every RESP2 and RESP3 type, each fed whole, split at every byte and one byte at a
// time; pipelines; the limits; malformed input, each a ProtocolError that names the problem.

#include "aio/redis/resp_parser.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include <string>
#include <vector>

using aio::redis::ProtocolError;
using aio::redis::Reply;
using aio::redis::ReplyError;
using aio::redis::ReplyType;
using aio::redis::ReplyTypeError;
using aio::redis::RespLimits;
using aio::redis::RespParser;

namespace {

std::vector<Reply> parse_all(RespParser& p) {
    std::vector<Reply> out;
    while (auto r = p.next()) out.push_back(std::move(*r));
    return out;
}

std::vector<Reply> parse_whole(const std::string& wire) {
    RespParser p;
    p.feed(wire);
    auto out = parse_all(p);
    EXPECT_EQ(p.buffered(), 0u);
    return out;
}

// The replies `wire` gives when it is fed in two pieces split at every byte, and one byte at a
// time, must be those it gives whole.
void expect_same_in_any_split(const std::string& wire) {
    const auto whole = parse_whole(wire);
    for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
        RespParser p;
        p.feed(wire.substr(0, cut));
        auto got = parse_all(p);
        p.feed(wire.substr(cut));
        for (auto& r : parse_all(p)) got.push_back(std::move(r));
        ASSERT_EQ(got, whole) << "split at " << cut << " of " << wire.size();
    }
    RespParser p;
    std::vector<Reply> got;
    for (char c : wire) {
        p.feed(std::string_view(&c, 1));
        for (auto& r : parse_all(p)) got.push_back(std::move(r));
    }
    EXPECT_EQ(got, whole);
}

Reply one(const std::string& wire) {
    auto all = parse_whole(wire);
    EXPECT_EQ(all.size(), 1u) << wire;
    expect_same_in_any_split(wire);
    return all.empty() ? Reply() : all[0];
}

std::string protocol_error_of(const std::string& wire, RespLimits limits = {}) {
    RespParser p(limits);
    p.feed(wire);
    try {
        while (p.next()) {
        }
    } catch (const ProtocolError& e) {
        // The parser stays failed: the stream is out of sync.
        EXPECT_THROW(p.next(), ProtocolError);
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST(RespParser, SimpleStringErrorAndInteger) {
    EXPECT_EQ(one("+OK\r\n"), Reply::string(ReplyType::simple_string, "OK"));
    auto e = one("-WRONGTYPE Operation against a key\r\n");
    EXPECT_TRUE(e.is_error());
    EXPECT_EQ(e.as_string(), "WRONGTYPE Operation against a key");
    try {
        e.throw_if_error();
        ADD_FAILURE();
    } catch (const ReplyError& err) {
        EXPECT_EQ(err.code(), "WRONGTYPE");
    }
    EXPECT_EQ(one(":-9223372036854775808\r\n").as_int(), INT64_MIN);
    EXPECT_EQ(one(":0\r\n").as_int(), 0);
    EXPECT_EQ(one("+\r\n").as_string(), "");
}

TEST(RespParser, BulkStringsHoldAnyBytesAndNullIsNil) {
    EXPECT_EQ(one("$5\r\nhello\r\n").as_string(), "hello");
    EXPECT_EQ(one("$0\r\n\r\n").as_string(), "");
    EXPECT_EQ(one(std::string("$4\r\na\r\n\0\r\n", 10)).as_string(), std::string("a\r\n\0", 4));
    EXPECT_TRUE(one("$-1\r\n").is_nil());
    EXPECT_TRUE(one("*-1\r\n").is_nil());
    EXPECT_TRUE(one("_\r\n").is_nil());
}

TEST(RespParser, ArraysNestAndHoldNils) {
    auto r = one("*3\r\n:1\r\n$-1\r\n*2\r\n+a\r\n$1\r\nb\r\n");
    ASSERT_EQ(r.type(), ReplyType::array);
    ASSERT_EQ(r.as_array().size(), 3u);
    EXPECT_EQ(r.as_array()[0].as_int(), 1);
    EXPECT_TRUE(r.as_array()[1].is_nil());
    EXPECT_EQ(r.as_array()[2].as_array()[1].as_string(), "b");
    EXPECT_TRUE(one("*0\r\n").as_array().empty());
}

TEST(RespParser, Resp3ScalarTypes) {
    EXPECT_EQ(one("#t\r\n").as_bool(), true);
    EXPECT_EQ(one("#f\r\n").as_bool(), false);
    EXPECT_DOUBLE_EQ(one(",3.25\r\n").as_double(), 3.25);
    EXPECT_DOUBLE_EQ(one(",-1e3\r\n").as_double(), -1000);
    EXPECT_TRUE(std::isinf(one(",inf\r\n").as_double()));
    EXPECT_TRUE(std::isnan(one(",nan\r\n").as_double()));
    auto big = one("(3492890328409238509324850943850943825024385\r\n");
    EXPECT_EQ(big.type(), ReplyType::big_number);
    EXPECT_EQ(big.as_string(), "3492890328409238509324850943850943825024385");
    auto v = one("=15\r\ntxt:Some string\r\n");
    EXPECT_EQ(v.type(), ReplyType::verbatim_string);
    EXPECT_EQ(v.verbatim_format(), "txt");
    EXPECT_EQ(v.as_string(), "Some string");
    auto be = one("!21\r\nSYNTAX invalid syntax\r\n");
    EXPECT_TRUE(be.is_error());
    EXPECT_EQ(be.as_string(), "SYNTAX invalid syntax");
}

TEST(RespParser, Resp3AggregatesAndAttributesSkipped) {
    auto m = one("%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n");
    ASSERT_EQ(m.type(), ReplyType::map);
    ASSERT_EQ(m.as_array().size(), 4u);
    EXPECT_EQ(m.as_array()[2].as_string(), "second");
    EXPECT_EQ(m.as_array()[3].as_int(), 2);
    auto s = one("~2\r\n+a\r\n+b\r\n");
    EXPECT_EQ(s.type(), ReplyType::set);
    auto push = one(">3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n");
    EXPECT_EQ(push.type(), ReplyType::push);
    EXPECT_EQ(push.as_array()[2].as_string(), "hi");
    // An attribute annotates the reply after it; the caller gets that reply only.
    auto attr = one("|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n");
    ASSERT_EQ(attr.type(), ReplyType::array);
    EXPECT_EQ(attr.as_array()[1].as_int(), 9543892);
}

TEST(RespParser, APipelineOfEveryTypeInAnySplit) {
    expect_same_in_any_split(
        "+OK\r\n-ERR x\r\n:7\r\n$3\r\nabc\r\n$-1\r\n*-1\r\n*2\r\n:1\r\n:2\r\n_\r\n#t\r\n,1.5\r\n(12\r\n"
        "=7\r\ntxt:abc\r\n!3\r\nERR\r\n%1\r\n+k\r\n+v\r\n~1\r\n:1\r\n>2\r\n+a\r\n+b\r\n|1\r\n+a\r\n+b\r\n:5\r\n");
    EXPECT_EQ(parse_whole("+OK\r\n-ERR x\r\n:7\r\n$3\r\nabc\r\n*0\r\n").size(), 5u);
}

TEST(RespParser, TenThousandRepliesFedInOddPieces) {
    std::string wire;
    for (int i = 0; i < 10000; ++i) wire += "$" + std::to_string(std::to_string(i).size()) + "\r\n" + std::to_string(i) + "\r\n";
    RespParser p;
    std::vector<Reply> got;
    for (std::size_t at = 0; at < wire.size(); at += 1013) {
        p.feed(std::string_view(wire).substr(at, 1013));
        for (auto& r : parse_all(p)) got.push_back(std::move(r));
    }
    ASSERT_EQ(got.size(), 10000u);
    for (int i = 0; i < 10000; ++i) ASSERT_EQ(got[static_cast<std::size_t>(i)].as_string(), std::to_string(i));
}

TEST(RespParser, ABulkStringIsWholeOnlyWithItsCrlf) {
    RespParser p;
    p.feed("$5\r\nhello");
    EXPECT_FALSE(p.next());
    p.feed("\r");
    EXPECT_FALSE(p.next());
    p.feed("\n");
    EXPECT_EQ(p.next()->as_string(), "hello");
}

TEST(RespParser, LimitsAreProtocolErrors) {
    EXPECT_NE(protocol_error_of("$536870913\r\n").find("exceeds the limit of 536870912"), std::string::npos);
    RespLimits small;
    small.max_aggregate_length = 10;
    small.max_depth = 3;
    small.max_line_length = 16;
    EXPECT_NE(protocol_error_of("*11\r\n", small).find("exceeds the limit"), std::string::npos);
    EXPECT_NE(protocol_error_of("%6\r\n", small).find("exceeds the limit"), std::string::npos);
    EXPECT_NE(protocol_error_of("*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n", small).find("nested deeper"), std::string::npos);
    EXPECT_NE(protocol_error_of("+" + std::string(40, 'a'), small).find("longer than 16"), std::string::npos);
    // Never allocates for a count it has not seen the bytes of.
    RespParser p;
    p.feed("*4294967296\r\n");
    EXPECT_FALSE(p.next());
}

TEST(RespParser, MalformedInputIsAClearError) {
    EXPECT_NE(protocol_error_of("?what\r\n").find("unknown type byte '?'"), std::string::npos);
    EXPECT_NE(protocol_error_of(":12a\r\n").find("bad integer '12a'"), std::string::npos);
    EXPECT_NE(protocol_error_of(":\r\n").find("bad integer"), std::string::npos);
    EXPECT_NE(protocol_error_of(":99999999999999999999\r\n").find("bad integer"), std::string::npos);
    EXPECT_NE(protocol_error_of("$-2\r\n").find("bad bulk string length"), std::string::npos);
    EXPECT_NE(protocol_error_of("$x\r\n").find("bad bulk string length"), std::string::npos);
    EXPECT_NE(protocol_error_of("$3\r\nabcde\r\n").find("not followed by CRLF"), std::string::npos);
    EXPECT_NE(protocol_error_of("+OK\rX").find("CR not followed by LF"), std::string::npos);
    EXPECT_NE(protocol_error_of("+OK\n").find("bare LF"), std::string::npos);
    EXPECT_NE(protocol_error_of("#x\r\n").find("bad boolean"), std::string::npos);
    EXPECT_NE(protocol_error_of(",1.2.x\r\n").find("bad double"), std::string::npos);
    EXPECT_NE(protocol_error_of("(12a\r\n").find("bad big number"), std::string::npos);
    EXPECT_NE(protocol_error_of("=2\r\nab\r\n").find("verbatim"), std::string::npos);
    EXPECT_NE(protocol_error_of("_x\r\n").find("null with a payload"), std::string::npos);
    EXPECT_NE(protocol_error_of("%-1\r\n").find("null aggregate"), std::string::npos);
    EXPECT_NE(protocol_error_of("HTTP/1.1 400 Bad Request\r\n").find("unknown type byte 'H'"), std::string::npos);
}

TEST(RespParser, ReadingAReplyAsTheWrongTypeThrows) {
    Reply r = Reply::string(ReplyType::bulk_string, "x");
    EXPECT_THROW(r.as_int(), ReplyTypeError);
    EXPECT_THROW(r.as_array(), ReplyTypeError);
    EXPECT_THROW(Reply::integer(1).as_string(), ReplyTypeError);
    EXPECT_THROW(Reply().as_string(), ReplyTypeError);
    EXPECT_EQ(Reply::aggregate(ReplyType::array, {Reply::integer(1), Reply()}).to_debug_string(), "[(integer) 1, nil]");
}
