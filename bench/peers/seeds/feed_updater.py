#!/usr/bin/python3
"""Seed 000's FeedUpdater on aiohttp: the twin of examples/feed_updater (same flags, same output).

    feed_updater.py [--once | --forever | --scheduled] [--interval S] [--rounds N] [--timeout S]
                    [--feed URL]...

The seed's code, brought up to today's asyncio (no loop= arguments, the session closed by the
program) and made to keep going when a feed fails: the failure is reported on stderr, the feed keeps
its last value, the next round still runs, and --once exits 1. Without --feed it reads the seed's
real feeds (examples/feed_updater serves local copies instead; the tests pass --feed to both).
"""

import argparse
import asyncio
import json
import secrets
import sys

import aiohttp

SEED_FEEDS = ["http://feeds.abcnews.com/abcnews/topstories", "http://www.feedforall.com/sample.xml"]


class FeedUpdater:
    def __init__(self, feeds, timeout):
        self.feeds = feeds
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout))
        self.rounds = 0

    async def _fetch(self, url):
        async with self.session.get(url) as response:
            status = response.status
            if status != 200:  # the seed's `assert status == 200`, with a message
                raise AssertionError(f"status {status}, expected 200")
            data = await response.text()
            return url, data

    async def __call__(self):
        tasks = {asyncio.create_task(self._fetch(url)): url for url in self.feeds.keys()}
        done, pending = await asyncio.wait(tasks, return_when=asyncio.ALL_COMPLETED)
        ok = True
        for task in done:
            try:
                url, data = task.result()
                self.feeds[url] = f"{len(data)}.{secrets.token_hex(4)}"
            except Exception as e:
                ok = False
                print(f"feed_updater: {tasks[task]}: {type(e).__name__}: {e}", file=sys.stderr)
        print(json.dumps(self.feeds, indent=4, sort_keys=True), flush=True)
        self.rounds += 1
        return ok

    async def close(self):
        await self.session.close()


def schedule(func, interval):
    """The seed's general scheduler."""

    async def periodic_func():
        while True:
            await func()
            await asyncio.sleep(interval)

    return asyncio.create_task(periodic_func())


def positive(text):
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected seconds > 0, got '{text}'")
    return value


async def main(args):
    feeds = {url: None for url in (args.feed or SEED_FEEDS)}
    update = FeedUpdater(feeds, args.timeout)
    all_ok = True
    try:
        if args.mode == "once":
            all_ok = await update()
        elif args.mode == "forever":  # run_forever.py's constant_update()
            round = 0
            while args.rounds is None or round < args.rounds:
                if round > 0:
                    await asyncio.sleep(args.interval)
                all_ok = await update() and all_ok
                round += 1
        else:  # run_scheduled.py, stopped after --rounds
            finished = asyncio.Event()

            async def job():
                nonlocal all_ok
                all_ok = await update() and all_ok
                if args.rounds is not None and update.rounds >= args.rounds:
                    finished.set()

            refresh_task = schedule(job, args.interval)
            await finished.wait()
            refresh_task.cancel()
            try:
                await refresh_task
            except asyncio.CancelledError:
                pass
    finally:
        await update.close()
    return 0 if all_ok else 1


def parse():
    p = argparse.ArgumentParser()
    modes = p.add_mutually_exclusive_group()
    modes.add_argument("--once", dest="mode", action="store_const", const="once")
    modes.add_argument("--forever", dest="mode", action="store_const", const="forever")
    modes.add_argument("--scheduled", dest="mode", action="store_const", const="scheduled")
    p.add_argument("--interval", type=positive, default=3.0)
    p.add_argument("--rounds", type=int, default=None)
    p.add_argument("--timeout", type=positive, default=10.0)
    p.add_argument("--feed", action="append")
    p.set_defaults(mode="once")
    return p.parse_args()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse())))
