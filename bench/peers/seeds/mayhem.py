#!/usr/bin/python3
"""Seed 003's "mayhem" service on asyncio: the twin of examples/mayhem (same flags, same log lines).

A publisher puts messages on an asyncio.Queue; the consumer handles each in its own task (save and
restart concurrently, then cleanup); SIGHUP, SIGTERM and SIGINT run the seed's shutdown(); a
periodic task beside them is stopped by call_later(stop_after, stop); an exception nobody awaited
reaches the loop's exception handler, which shuts the service down.

The randomness is splitmix64, written the same in examples/mayhem/main.cpp, so both programs draw
the same names, ids, delays and failures for a given --seed.

    mayhem.py [--seed N] [--speed X] [--stop-after S] [--messages N] [--fail-after N]
"""

import argparse
import asyncio
import logging
import random
import signal

MASK = (1 << 64) - 1


class Rng:
    def __init__(self, state):
        self.state = state & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def random(self):
        return (self.next() >> 11) * 2.0**-53

    def below(self, n):
        return self.next() % n


class PubSubMessage:
    def __init__(self, seed, index):
        rng = Rng(seed + (index + 1) * 0x632BE59BD9B4E019)
        choices = "abcdefghijklmnopqrstuvwxyz0123456789"
        host_id = "".join(choices[rng.below(36)] for _ in range(4))
        self.instance_name = f"cattle-{host_id}"
        self.message_id = "".join("0123456789abcdef"[rng.below(16)] for _ in range(8))
        self.save_delay = rng.random()
        self.save_fails = rng.below(4) + 1 == 3  # the seed's random.randrange(1, 5) == 3
        self.restart_delay = rng.random()
        self.restart_fails = rng.below(4) + 1 == 3
        self.cleanup_delay = rng.random()
        self.hostname = f"{self.instance_name}.example.net"

    def __repr__(self):
        return f"PubSubMessage(instance_name='{self.instance_name}')"


class RestartFailed(Exception):
    pass


def scaled(seconds):
    return seconds / OPTIONS.speed


async def publish(queue):
    rng = Rng(OPTIONS.seed)
    k = 0
    while OPTIONS.messages < 0 or k < OPTIONS.messages:
        if k == OPTIONS.fail_after:
            raise RuntimeError(f"Publisher failed after {k} messages")
        msg = PubSubMessage(OPTIONS.seed, k)
        await queue.put(msg)
        logging.info(f"Published message {msg.message_id} for {msg}")
        await asyncio.sleep(scaled(rng.random()))
        k += 1


async def restart_host(msg):
    await asyncio.sleep(scaled(msg.restart_delay))
    if msg.restart_fails:
        raise RestartFailed(f"Could not restart {msg.hostname}")
    logging.info(f"Restarted {msg.hostname}")


async def save(msg):
    await asyncio.sleep(scaled(msg.save_delay))
    if msg.save_fails:
        raise Exception(f"Could not save {msg}")
    logging.info(f"Saved {msg} into database")


async def cleanup(msg, event):
    await event.wait()
    await asyncio.sleep(scaled(msg.cleanup_delay))
    logging.info(f"Done. Acked {msg}")


def handle_results(results, msg):
    for result in results:
        if isinstance(result, RestartFailed):
            logging.error(f"Retrying for failure to restart: {msg.hostname}")
        elif isinstance(result, Exception):
            logging.error(f"Handling general error: {result}")


async def handle_message(msg):
    event = asyncio.Event()
    asyncio.create_task(cleanup(msg, event))
    results = await asyncio.gather(save(msg), restart_host(msg), return_exceptions=True)
    handle_results(results, msg)
    event.set()


async def consume(queue):
    while True:
        msg = await queue.get()
        logging.info(f"Consumed {msg}")
        asyncio.create_task(handle_message(msg))


async def periodic():
    while True:
        logging.info("periodic")
        await asyncio.sleep(scaled(1.0))


async def shutdown(loop, signal=None):
    if signal:
        logging.info(f"Received exit signal {signal.name}...")
    logging.info("Closing database connections")
    logging.info("Nacking outstanding messages")
    tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    [task.cancel() for task in tasks]
    logging.info(f"Cancelling {len(tasks)} outstanding tasks")
    results = await asyncio.gather(*tasks, return_exceptions=True)
    for task, result in zip(tasks, results):
        if isinstance(result, Exception):
            logging.error(f"Task {task.get_name()} failed: {result!r}")
    logging.info("Flushing metrics")
    loop.stop()


def handle_exception(loop, context):
    msg = context.get("exception", context["message"])
    logging.error(f"Caught exception: {msg}")
    logging.info("Shutting down...")
    asyncio.create_task(shutdown(loop))


def positive(text):
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got '{text}'")
    return value


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--seed", type=int, default=random.getrandbits(32))
    p.add_argument("--speed", type=positive, default=1.0)
    p.add_argument("--stop-after", type=positive, default=None)
    p.add_argument("--messages", type=int, default=-1)
    p.add_argument("--fail-after", type=int, default=-1)
    return p.parse_args()


def main():
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s,%(msecs)d %(levelname)s: %(message)s", datefmt="%H:%M:%S"
    )
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    for s in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, lambda s=s: asyncio.create_task(shutdown(loop, signal=s)))
    loop.set_exception_handler(handle_exception)
    queue = asyncio.Queue()
    try:
        loop.create_task(publish(queue))
        loop.create_task(consume(queue))
        periodic_task = loop.create_task(periodic())

        def stop():  # the seed's stop(): cancel the periodic task; here the rest too
            periodic_task.cancel()
            asyncio.create_task(shutdown(loop))

        if OPTIONS.stop_after:
            loop.call_later(OPTIONS.stop_after, stop)
        loop.run_forever()
    finally:
        loop.close()
        logging.info("Successfully shutdown the Mayhem service.")


if __name__ == "__main__":
    OPTIONS = parse()
    main()
