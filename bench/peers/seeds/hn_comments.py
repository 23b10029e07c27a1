"""Seed 002's comment counter, the Python twin of examples/hn_comments.

The seed's code on Debian's python3-aiohttp, adapted only to take the aio program's flags:
--base-url (default: the real API), --fetch-timeout MS, --min-comments N, --log-delay-ms MS,
--boom-after N. async_timeout's bare `with` is gone from aiohttp 3.8, so each fetch is bounded
with asyncio.wait_for, as aio::wait_for does in the twin.
"""

import argparse
import asyncio
import logging
import random
from datetime import datetime
from urllib.parse import parse_qs, urlparse

import aiohttp

LOGGER_FORMAT = '%(asctime)s %(message)s'
FETCH_TIMEOUT = 10

parser = argparse.ArgumentParser(description='Calculate the comments of a Hacker News post.')
parser.add_argument('--id', type=int, default=8863, help='ID of the post in HN, defaults to 8863')
parser.add_argument('--url', type=str, help='URL of a post in HN')
parser.add_argument('--base-url', type=str, default='https://hacker-news.firebaseio.com')
parser.add_argument('--verbose', action='store_true', help='Detailed output')
parser.add_argument('--min-comments', type=int, default=None)
parser.add_argument('--log-delay-ms', type=int, default=3000)
parser.add_argument('--boom-after', type=int, default=0)
parser.add_argument('--timing-decimals', type=int, default=2, choices=range(10))
parser.add_argument('--fetch-timeout', type=int, default=FETCH_TIMEOUT * 1000)

logging.basicConfig(format=LOGGER_FORMAT, datefmt='[%H:%M:%S]')
log = logging.getLogger()
log.setLevel(logging.INFO)

fetch_counter = 0
task_registry = []


async def fetch(session, url, args):
    global fetch_counter
    fetch_counter += 1
    if args.boom_after and fetch_counter > args.boom_after:
        raise Exception('BOOM!')

    async def get():
        async with session.get(url) as response:
            return await response.json()

    return await asyncio.wait_for(get(), args.fetch_timeout / 1000)


async def log_post(post, args):
    await asyncio.sleep(random.random() * args.log_delay_ms / 1000)
    log.info("Post logged")


async def post_number_of_comments(session, post_id, args):
    url = "{}/v0/item/{}.json".format(args.base_url, post_id)
    now = datetime.now()
    response = await fetch(session, url, args)
    log.debug('{:^6} > Fetching of {} took {} seconds'.format(
        post_id, url, (datetime.now() - now).total_seconds()))

    if response is None or 'kids' not in response:  # base case, there are no comments
        return 0

    number_of_comments = len(response['kids'])
    log.debug('{:^6} > Fetching {} child posts'.format(post_id, number_of_comments))
    tasks = [post_number_of_comments(session, kid_id, args) for kid_id in response['kids']]
    results = await asyncio.gather(*tasks)
    number_of_comments += sum(results)
    log.debug('{:^6} > {} comments'.format(post_id, number_of_comments))

    if args.min_comments is not None and number_of_comments > args.min_comments:
        task_registry.append(asyncio.ensure_future(log_post(response, args)))

    return number_of_comments


def id_from_HN_url(url):
    parse_result = urlparse(url)
    try:
        return parse_qs(parse_result.query)['id'][0]
    except (KeyError, IndexError):
        return None


async def main(post_id, args):
    async with aiohttp.ClientSession() as session:
        now = datetime.now()
        comments = await post_number_of_comments(session, post_id, args)
        log.info('> Calculating comments took {:.{}f} seconds and {} fetches'.format(
            (datetime.now() - now).total_seconds(), args.timing_decimals, fetch_counter))
    return comments


async def run(post_id, args):
    comments = await main(post_id, args)
    log.info("-- Post {} has {} comments".format(post_id, comments))
    await asyncio.gather(*task_registry)


if __name__ == '__main__':
    args = parser.parse_args()
    args.base_url = args.base_url.rstrip('/')
    if args.verbose:
        log.setLevel(logging.DEBUG)
    post_id = id_from_HN_url(args.url) if args.url else args.id
    asyncio.run(run(post_id, args))
