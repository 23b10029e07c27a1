"""ws_echo_c64 peer: an echo server on Debian's python3-websockets (asyncio), text to text and
binary to binary, no compression (the load generator offers none).

    /usr/bin/python3 websockets_echo.py PORT
"""
import asyncio
import signal
import sys

import websockets


async def echo(ws, _path=None):
    async for msg in ws:
        await ws.send(msg)


async def main(port):
    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
    async with websockets.serve(echo, "127.0.0.1", port, compression=None, max_size=None):
        await stop


asyncio.run(main(int(sys.argv[1])))
