"""A small closed-loop HTTP load generator: C clients, each sending its next request as soon as
the last one answered, until a request count or a time limit is reached (whichever is first).

It runs on the same two cores as the server it measures, so what it reports is what the
server manages while sharing the machine with its clients (see bench/README.md).
"""
import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field

import aiohttp

from bench.core import median, percentile


@dataclass
class LoadResult:
    label: str
    latencies: list = field(default_factory=list)   # seconds, one per answered request
    statuses: Counter = field(default_factory=Counter)
    unexpected: list = field(default_factory=list)  # (status, first bytes of the body), a few
    elapsed: float = 0.0
    client_cpu: float = 0.0                         # CPU seconds the load generator itself used

    @property
    def answered(self):
        return len(self.latencies)

    @property
    def rps(self):
        return self.answered / self.elapsed if self.elapsed else 0.0

    def ms(self, percent):
        value = median(self.latencies) if percent == 50 else percentile(self.latencies, percent)
        return None if value is None else value * 1000

    @property
    def failures(self):
        return sum(self.statuses.values()) - self.statuses.get("ok", 0)


async def _client(session, request_for, expected, counter, limit, deadline, result):
    while time.monotonic() < deadline:
        index = counter[0]
        if index >= limit:
            return
        counter[0] += 1
        method, url, kwargs = request_for(index)
        started = time.perf_counter()
        try:
            async with session.request(method, url, allow_redirects=False, **kwargs) as response:
                body = await response.read()
                status = response.status
        except aiohttp.ClientError as error:
            result.statuses[f"error: {type(error).__name__}"] += 1
            continue
        result.latencies.append(time.perf_counter() - started)
        if status == expected:
            result.statuses["ok"] += 1
        else:
            result.statuses[status] += 1
            if len(result.unexpected) < 3:
                result.unexpected.append((status, body[:300].decode("utf-8", "replace")))


async def _load(label, request_for, expected, clients, requests, seconds, headers, warmup):
    result = LoadResult(label)
    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, headers=headers) as session:
        if warmup:  # every worker has connected to the database and rendered once
            throwaway, warm = LoadResult(label), [0]
            await asyncio.gather(*[_client(session, request_for, expected, warm, warmup, time.monotonic() + 30,
                                           throwaway) for _ in range(min(clients, warmup))])
        counter = [warmup]
        cpu_before = time.process_time()
        started = time.perf_counter()
        deadline = time.monotonic() + seconds
        await asyncio.gather(*[_client(session, request_for, expected, counter, warmup + requests, deadline, result)
                               for _ in range(clients)])
        result.elapsed = time.perf_counter() - started
        result.client_cpu = time.process_time() - cpu_before
    return result


def run_load(label, request_for, *, expected=200, clients=20, requests=1000, seconds=30.0, headers=None,
             warmup=0):
    """Send up to `requests` requests from `clients` concurrent clients within `seconds`.

    `request_for(i)` gives (method, url, aiohttp keyword arguments) for the i-th request.
    """
    return asyncio.run(_load(label, request_for, expected, clients, requests, seconds, headers or {}, warmup))
