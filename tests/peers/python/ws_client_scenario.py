"""The client scenario the WebSocket interop tests run against aio's echo server, with
python3-websockets or aiohttp as the client:

    ws_client_scenario.py websockets|aiohttp URL [--no-compression]

Echoes text and binary of every length encoding (0 to 16 MiB), a fragmented text and binary
message, 1,000 pipelined messages, a ping, then closes with 4000. Prints "done" and exits 0, or
raises (exit 1) at the first difference."""

import asyncio
import sys

SIZES = [0, 1, 125, 126, 127, 65535, 65536, 65537, 16 * 1024 * 1024]
BIG = 32 * 1024 * 1024


def payload(n):
    return bytes((97 + (i * 7) % 26) for i in range(min(n, 4096))) * (n // 4096 + 1)


async def with_websockets(url, compress):
    import websockets

    async with websockets.connect(url, compression="deflate" if compress else None, max_size=BIG) as ws:
        assert (ws.response_headers.get("Sec-WebSocket-Extensions") is not None) == compress
        for n in SIZES:
            data = payload(n)[:n]
            await ws.send(data.decode())
            assert await ws.recv() == data.decode(), f"text {n}"
            await ws.send(data)
            assert await ws.recv() == data, f"binary {n}"
        await ws.send(["frag", "mented ", "text"])
        assert await ws.recv() == "fragmented text"
        await ws.send([b"\x00\x01", b"", b"\x02"])
        assert await ws.recv() == b"\x00\x01\x02"
        for i in range(1000):
            await ws.send(f"m{i}")
        for i in range(1000):
            assert await ws.recv() == f"m{i}", f"pipelined {i}"
        pong = await ws.ping(b"ping!")
        await asyncio.wait_for(pong, 5)
        await ws.close(code=4000, reason="done")
        assert ws.close_code == 4000, ws.close_code
    print("done")


async def with_aiohttp(url, compress):
    import aiohttp

    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(url, compress=15 if compress else 0, max_msg_size=BIG,
                                      autoping=False) as ws:
            assert bool(ws.compress) == compress, ws.compress
            for n in SIZES:
                data = payload(n)[:n]
                await ws.send_str(data.decode())
                assert (await ws.receive_str()) == data.decode(), f"text {n}"
                await ws.send_bytes(data)
                assert (await ws.receive_bytes()) == data, f"binary {n}"
            for i in range(1000):
                await ws.send_str(f"m{i}")
            for i in range(1000):
                assert (await ws.receive_str()) == f"m{i}", f"pipelined {i}"
            await ws.ping(b"ping!")
            msg = await ws.receive(timeout=5)
            assert msg.type == aiohttp.WSMsgType.PONG and msg.data == b"ping!", msg
            await ws.close(code=4000, message=b"done")
            assert ws.close_code == 4000, ws.close_code
    print("done")


def main():
    lib, url = sys.argv[1], sys.argv[2]
    compress = "--no-compression" not in sys.argv[3:]
    run = with_websockets if lib == "websockets" else with_aiohttp
    asyncio.run(asyncio.wait_for(run(url, compress), 60))


if __name__ == "__main__":
    main()
