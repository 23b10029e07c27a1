#!/usr/bin/env python3
"""Writes the fuzzers' seed corpus (fuzz/corpus/<target>/) from the parser corpus
(tests/conformance/http/*.txt): each vector's input, prefixed with the bytes that choose the split
point (the middle) and, for responses, the request method. Chunked request bodies, the bytes after
the head, seed the chunked decoder. Run again after changing the corpus; the names are stable
(file, vector number), so the diff shows what changed."""

import pathlib
import re
import shutil
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "conformance" / "http"
OUT = ROOT / "fuzz" / "corpus"
METHODS = {"GET": 0, "HEAD": 1, "CONNECT": 2}


def unescape(text):
    out = bytearray()
    i = 0
    simple = {"r": b"\r", "n": b"\n", "t": b"\t", "s": b" ", "\\": b"\\"}
    while i < len(text):
        c = text[i]
        if c != "\\":
            out += c.encode("latin-1")
            i += 1
        elif text[i + 1] == "x":
            out.append(int(text[i + 2:i + 4], 16))
            i += 4
        else:
            out += simple[text[i + 1]]
            i += 2
    return bytes(out)


def vectors(path):
    vector = None
    for line in path.read_text(encoding="latin-1").splitlines():
        if line.startswith("=== "):
            if vector:
                yield vector
            vector = {"input": b"", "response": False, "method": "GET"}
        elif vector is None:
            continue
        elif line.startswith("options:"):
            for word in line[8:].split():
                if word == "response":
                    vector["response"] = True
                elif word.startswith("method="):
                    vector["method"] = word[7:]
        elif line.startswith("> "):
            vector["input"] += unescape(line[2:])
    if vector:
        yield vector


def split_prefix(data):
    half = len(data) // 2
    return bytes([half & 0xFF, (half >> 8) & 0xFF])


def main():
    for target in ("request_parser", "response_parser", "chunked_decoder"):
        shutil.rmtree(OUT / target, ignore_errors=True)
        (OUT / target).mkdir(parents=True)
    count = {"request_parser": 0, "response_parser": 0, "chunked_decoder": 0}
    for path in sorted(CORPUS.glob("*.txt")):
        for n, v in enumerate(vectors(path), 1):
            data = v["input"]
            name = f"{path.stem}_{n:03d}"
            if v["response"]:
                seed = split_prefix(data) + bytes([METHODS.get(v["method"], 0)]) + data
                target = "response_parser"
            else:
                seed = split_prefix(data) + data
                target = "request_parser"
            (OUT / target / name).write_bytes(seed)
            count[target] += 1
            head, sep, body = data.partition(b"\r\n\r\n")
            if sep and re.search(rb"(?i)transfer-encoding:[^\r\n]*chunked", head):
                (OUT / "chunked_decoder" / name).write_bytes(split_prefix(body) + body)
                count["chunked_decoder"] += 1
    for target, n in count.items():
        print(f"fuzz/corpus/{target}: {n} seeds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
