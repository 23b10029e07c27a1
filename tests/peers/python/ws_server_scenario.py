"""An echo server for the WebSocket interop tests, with python3-websockets or aiohttp, that aio's
client talks to:

    ws_server_scenario.py websockets|aiohttp [--no-compression]

It prints "listening on PORT" and serves 127.0.0.1 until its stdin closes. Text and binary are
echoed, except these texts: "fragments" gets "frag" "mented" as one fragmented text message
(websockets only; aiohttp cannot send fragments, it answers "fragmented" whole), "ping" gets a
ping with payload "srv", "close NNNN" closes with code NNNN and reason "bye"."""

import asyncio
import sys

BIG = 32 * 1024 * 1024


async def serve_websockets(compress):
    import websockets

    async def handler(ws, path=None):
        async for msg in ws:
            if msg == "fragments":
                await ws.send(["frag", "mented"])  # two frames
            elif msg == "ping":
                await ws.ping(b"srv")
            elif isinstance(msg, str) and msg.startswith("close "):
                await ws.close(code=int(msg[6:]), reason="bye")
            else:
                await ws.send(msg)

    server = await websockets.serve(handler, "127.0.0.1", 0, compression="deflate" if compress else None,
                                    max_size=BIG)
    return server, server.sockets[0].getsockname()[1]


async def serve_aiohttp(compress):
    from aiohttp import web, WSMsgType

    async def handler(request):
        ws = web.WebSocketResponse(compress=compress, max_msg_size=BIG)
        await ws.prepare(request)
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                if msg.data == "fragments":
                    await ws.send_str("fragmented")
                elif msg.data == "ping":
                    await ws.ping(b"srv")
                elif msg.data.startswith("close "):
                    await ws.close(code=int(msg.data[6:]), message=b"bye")
                else:
                    await ws.send_str(msg.data)
            elif msg.type == WSMsgType.BINARY:
                await ws.send_bytes(msg.data)
        return ws

    app = web.Application()
    app.router.add_get("/", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]


async def main():
    lib = sys.argv[1]
    compress = "--no-compression" not in sys.argv[2:]
    server, port = await (serve_websockets(compress) if lib == "websockets" else serve_aiohttp(compress))
    print(f"listening on {port}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    if lib == "websockets":
        server.close()
        await server.wait_closed()
    else:
        await server.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
