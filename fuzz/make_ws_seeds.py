#!/usr/bin/env python3
"""Writes the WebSocket reader fuzzer's seeds (fuzz/corpus/ws_reader/): frames of each kind the
conformance suite (tests/conformance/ws_frames_test.cpp) covers, in both roles, with and without
permessage-deflate. Each seed is the option byte (bit 0 client role, bit 1 deflate, bits 2-3 no
context takeover, bit 4 a 1 KiB max_msg_size), two bytes choosing the split point (the middle),
then the bytes on the wire. Names are stable, so a rerun's diff shows what changed."""

import pathlib
import shutil
import struct
import zlib

OUT = pathlib.Path(__file__).resolve().parent / "corpus" / "ws_reader"
KEY = bytes([0x37, 0xFA, 0x21, 0x3D])


def frame(first, payload, masked):
    n = len(payload)
    mask = 0x80 if masked else 0
    if n <= 125:
        head = bytes([first, mask | n])
    elif n <= 0xFFFF:
        head = bytes([first, mask | 126]) + struct.pack(">H", n)
    else:
        head = bytes([first, mask | 127]) + struct.pack(">Q", n)
    if not masked:
        return head + payload
    return head + KEY + bytes(b ^ KEY[i % 4] for i, b in enumerate(payload))


def deflated(data):
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    out = c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)
    return out[:-4] if out.endswith(b"\x00\x00\xff\xff") else out


def close(code, reason=b""):
    return struct.pack(">H", code) + reason


KOSME = "κόσμε".encode()
CASES = {
    "text": [(0x81, b"Hello")],
    "binary_126": [(0x82, bytes(range(126)))],
    "binary_65536": [(0x82, bytes(65536))],
    "fragments_ping": [(0x01, b"frag"), (0x89, b"ping"), (0x80, b"ment")],
    "pong_close": [(0x8A, b"p"), (0x88, close(1000, b"bye"))],
    "close_empty": [(0x88, b"")],
    "close_1_byte": [(0x88, b"\x03")],
    "close_1005": [(0x88, close(1005))],
    "close_bad_utf8": [(0x88, close(1000, b"\xed\xa0\x80"))],
    "rsv2": [(0xA1, b"x")],
    "opcode_3": [(0x83, b"x")],
    "opcode_11": [(0x8B, b"")],
    "ping_fragmented": [(0x09, b"a"), (0x80, b"b")],
    "ping_126": [(0x89, bytes(126))],
    "continuation_alone": [(0x80, b"x")],
    "text_in_text": [(0x01, b"a"), (0x81, b"b")],
    "utf8_split": [(0x01, KOSME[:3]), (0x80, KOSME[3:])],
    "utf8_f4_90": [(0x01, KOSME + b"\xf4\x90"), (0x80, b"\x80\x80")],
    "utf8_truncated": [(0x81, b"\xe2\x82")],
    "deflate_hello": [(0xC1, bytes.fromhex("f248cdc9c90700")), (0xC1, bytes.fromhex("f200110000"))],
    "deflate_fragmented": [(0x41, bytes.fromhex("f248cd")), (0x80, bytes.fromhex("c9c90700"))],
    "deflate_binary": [(0xC2, deflated(bytes(5000)))],
    "deflate_bad_utf8": [(0xC1, deflated(b"ok\xff"))],
    "deflate_garbage": [(0xC1, b"\xff\xff\xff")],
    "deflate_on_ping": [(0xC9, b"")],
}
RAW = {
    "length_top_bit": bytes([0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 1]),
    "length_10_gib": bytes([0x82, 0x7F, 0, 0, 0, 2, 0x80, 0, 0, 0]),
}


def write(name, flags, wire):
    wire = wire[:16000]  # within fuzz/run.sh's -max_len; a cut frame is a seed too
    half = len(wire) // 2
    (OUT / name).write_bytes(bytes([flags, half & 0xFF, half >> 8]) + wire)


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    for name, frames in CASES.items():
        deflate = name.startswith("deflate")
        for role, client in (("server", False), ("client", True)):
            wire = b"".join(frame(first, payload, not client) for first, payload in frames)
            flags = (1 if client else 0) | (2 if deflate else 0)
            write(f"{name}_{role}", flags, wire)
            if name == "binary_65536":
                write(f"{name}_{role}_small_max", flags | 16, wire)
    for name, wire in RAW.items():
        write(f"{name}_client", 1, wire)
        write(f"{name}_server", 0, wire[:1] + bytes([wire[1] | 0x80]) + wire[2:] + KEY)


if __name__ == "__main__":
    main()
