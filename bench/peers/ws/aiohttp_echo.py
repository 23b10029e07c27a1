"""ws_echo_c64 peer: an echo websocket at / on Debian's python3-aiohttp, text to text and binary to
binary, no compression.

    /usr/bin/python3 aiohttp_echo.py PORT
"""
import sys

from aiohttp import web


async def echo(request):
    ws = web.WebSocketResponse(compress=False)
    await ws.prepare(request)
    async for msg in ws:
        if msg.type == web.WSMsgType.TEXT:
            await ws.send_str(msg.data)
        elif msg.type == web.WSMsgType.BINARY:
            await ws.send_bytes(msg.data)
    return ws


app = web.Application()
app.router.add_get("/", echo)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
