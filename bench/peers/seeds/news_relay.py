#!/usr/bin/python3
"""The Python twin of examples/news_relay: seed 003's aiohttp app on Debian's python3-aiohttp and
python3-redis (redis.asyncio), with the same flags, the same stdout and stderr lines and the same
websocket messages.

  news_relay.py [--host 127.0.0.1] [--port 8080] [--redis redis://127.0.0.1:6379/0]
                [--update-interval SECONDS] [--shutdown-timeout MS]

GET / is {"updates": N, "userfeed": [...]}, GET /ws gets "news: <msg>" for each PUBLISH on
`news`, GET /page is a small page. SIGINT, SIGTERM and SIGHUP end it gracefully (aiohttp's
run_app handles only the first two, and prints port 0 when asked for a free port, so the runner
is driven here as run_app drives it), exit 0.
"""

import argparse
import asyncio
import json
import random
import signal
import sys

import redis.asyncio as aioredis
from aiohttp import WSCloseCode, web

websockets_key = web.AppKey("websockets", set) if hasattr(web, "AppKey") else "websockets"

PAGE = """<!doctype html>
<meta charset="utf-8"><title>aio news relay</title>
<pre id="log"></pre>
<script>
const log = (t) => { document.getElementById('log').textContent += t + '\\n'; };
const ws = new WebSocket(`ws://${location.host}/ws`);
ws.onmessage = (e) => log(e.data);
ws.onclose = (e) => log(`closed: ${e.code} ${e.reason}`);
</script>
"""


def log(what):
    print(f"news_relay: {what}", file=sys.stderr, flush=True)


def feed_json(updates, length):
    return json.dumps({"updates": updates, "userfeed": list(range(length))})


async def userfeed(request):
    return web.Response(text=request.app["state"]["userfeed"], content_type="application/json")


async def page(request):
    return web.Response(text=PAGE, content_type="text/html")


async def websocket_handler(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    request.app[websockets_key].add(ws)
    try:
        async for _ in ws:
            pass
        # aiohttp 3.8: close() from on_shutdown first ends this loop, and the handler's return
        # would then close with 1000 before close() gets to send its own code. Sending the
        # shutdown's close here gives the client 1001 "Server shutdown", as aiohttp >= 3.9 does.
        if request.app["state"]["shutting_down"]:
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"Server shutdown")
    finally:
        request.app[websockets_key].discard(ws)
    return ws


async def forward(app, text):
    for ws in set(app[websockets_key]):
        if ws.closed:
            continue
        try:
            await ws.send_str(text)
        except ConnectionError:
            pass


async def data_updater(app, interval):
    updates = 0
    while True:
        await asyncio.sleep(interval)
        updates += 1
        app["state"]["userfeed"] = feed_json(updates, random.randint(1, 20))


def address(client):
    kw = client.connection_pool.connection_kwargs
    return f"{kw.get('host', '127.0.0.1')}:{kw.get('port', 6379)}"


async def relay_news(app, url, state):
    client = aioredis.from_url(url)
    state["address"] = address(client)
    pubsub = None
    try:
        await client.ping()
        pubsub = client.pubsub()
        await pubsub.subscribe("news")
        if state["reconnecting"]:
            log("redis: reconnected, resubscribed to 1 channels")
        else:
            log(f"subscribed to 'news' at {state['address']}")
        state["reconnecting"] = False
        state["subscribed"] = True
        async for msg in pubsub.listen():
            if msg["type"] == "message":
                data = msg["data"]
                await forward(app, "news: " + (data.decode() if isinstance(data, bytes) else str(data)))
    finally:
        if pubsub is not None:
            try:
                await pubsub.unsubscribe()
                await pubsub.close()
            except Exception:
                pass
        try:
            await client.close()
            await client.connection_pool.disconnect()
        except Exception:
            pass


# Down at start-up: a line and a retry after 0.1 s, doubling up to 5 s. Lost after subscribing:
# redis-py 4.3 raises where aio::redis reconnects by itself (50 ms, doubling up to 2 s) and says
# so, so its lines are written here.
async def listen_to_redis(app, url):
    state = {"reconnecting": False, "address": ""}
    delay, attempt = 0.1, 0
    while True:
        state["subscribed"] = False
        try:
            await relay_news(app, url, state)
            log("redis: the subscription ended")
        except Exception as e:  # CancelledError is no Exception: it ends the task
            if state["subscribed"]:
                log(f"redis: connection to {state['address']} lost; reconnecting")
                state["reconnecting"] = True
                delay, attempt = 0.05, 0
            elif state["reconnecting"]:
                attempt += 1
                log(f"redis: reconnect attempt {attempt} failed: {e}")
            else:
                log(f"redis: {e}; retrying in {delay:.1f} s")
        await asyncio.sleep(delay)
        delay = min(delay * 2, 2.0 if state["reconnecting"] else 5.0)


async def start_background_tasks(app):
    opts = app["options"]
    app["redis_listener"] = asyncio.create_task(listen_to_redis(app, opts.redis), name="redis_listener")
    app["data_updater"] = asyncio.create_task(data_updater(app, opts.update_interval), name="data_updater")


async def cleanup_background_tasks(app):
    log("cancelling the redis listener and the data updater")
    for key in ("redis_listener", "data_updater"):
        app[key].cancel()
        try:
            await app[key]
        except asyncio.CancelledError:
            pass
    log("background tasks stopped")


async def close_websockets(app):
    app["state"]["shutting_down"] = True
    open_sockets = set(app[websockets_key])
    log(f"shutting down: closing {len(open_sockets)} websocket(s)")
    for ws in open_sockets:
        await ws.close(code=WSCloseCode.GOING_AWAY, message=b"Server shutdown")


async def serve(app, host, port, shutdown_timeout):
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port, shutdown_timeout=shutdown_timeout)
        await site.start()
        real_port = site._server.sockets[0].getsockname()[1]
        print(f"======== Running on http://{host}:{real_port} ========\n(Press CTRL+C to quit)", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(s, stop.set)
        await stop.wait()
    finally:
        await runner.cleanup()


def seconds(text):
    try:
        s = float(text)
    except ValueError:
        s = -1
    if not 0 < s <= 86400:
        raise argparse.ArgumentTypeError(f"expected seconds > 0 (at most 86400), got '{text}'")
    return s


def main():
    parser = argparse.ArgumentParser(prog="news_relay")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--update-interval", type=seconds, default=3.0)
    parser.add_argument("--shutdown-timeout", type=int, default=60000, help="milliseconds")
    opts = parser.parse_args()
    if not opts.redis.startswith(("redis://", "unix://")):
        parser.error(f"--redis: expected a redis:// or unix:// URL, got '{opts.redis}'")

    app = web.Application()
    app[websockets_key] = set()
    # A mutable holder: aiohttp warns when a started application's own keys are assigned to.
    app["state"] = {"userfeed": feed_json(0, 0), "shutting_down": False}
    app["options"] = opts
    app.router.add_get("/", userfeed)
    app.router.add_get("/ws", websocket_handler)
    app.router.add_get("/page", page)
    app.on_startup.append(start_background_tasks)
    app.on_shutdown.append(close_websockets)
    app.on_cleanup.append(cleanup_background_tasks)
    asyncio.run(serve(app, opts.host, opts.port, opts.shutdown_timeout / 1000))
    return 0


if __name__ == "__main__":
    sys.exit(main())
