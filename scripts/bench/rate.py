"""An open-loop load generator: requests sent on a fixed schedule, latency from it.

wrk is closed-loop: each connection sends its next request when the previous
answer arrives, so a slow server is asked less and its slowness hides
(coordinated omission). Here request *i* is due at ``start + i / rate``
whatever happened before; it opens its own connection then (a sync gunicorn
worker closes each one after answering, and a connection opened early would
hold a worker idle), and its latency runs from the moment it was due to the
last byte of the answer, so time spent queueing behind a slow request counts.
At most ``max_in_flight`` requests are outstanding; one that would exceed it
is not sent and counts as an error (the server is past saturation). The bound
is high (256, a quarter of a second of queueing at 1,000 requests a second):
this client, in Python, opens a connection per request and shares the two
cores, so at a thousand requests a second or more a short stall of the
machine queues dozens of requests, which belongs in the p99, not in the
errors. A variant that cannot keep up at all still reaches it.

Rates are modest (half what Orderly sustains), so one asyncio loop in one
process keeps up; it reports how late it was itself (``lag_ms``).
"""

import asyncio
import statistics
import time
from collections.abc import Callable
from typing import Any

Request = Callable[[int], bytes]


async def _one(port: int, payload: bytes, timeout: float) -> int:
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection("127.0.0.1", port), timeout
    )
    try:
        writer.write(payload)
        await writer.drain()
        head = await asyncio.wait_for(reader.readline(), timeout)
        await asyncio.wait_for(reader.read(), timeout)  # to the end: Connection: close
        return int(head.split()[1])
    finally:
        writer.close()


async def _drive(
    port: int,
    build: Request,
    rate: float,
    seconds: float,
    max_in_flight: int,
    timeout: float,
) -> dict[str, Any]:
    latencies: list[float] = []
    errors = {"status": 0, "socket": 0, "not_sent": 0}
    lag: list[float] = []
    in_flight = 0
    tasks = []

    async def send(index: int, due: float) -> None:
        nonlocal in_flight
        in_flight += 1
        try:
            status = await _one(port, build(index), timeout)
        except (OSError, TimeoutError, ValueError, IndexError):
            errors["socket"] += 1
            return
        finally:
            in_flight -= 1
        latencies.append(time.monotonic() - due)
        if not 200 <= status < 300:
            errors["status"] += 1

    start = time.monotonic() + 0.05
    total = int(rate * seconds)
    for index in range(total):
        due = start + index / rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        lag.append(max(0.0, time.monotonic() - due))
        if in_flight >= max_in_flight:
            errors["not_sent"] += 1
            continue
        tasks.append(asyncio.create_task(send(index, due)))
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - start
    ordered = sorted(latencies)

    def percentile(p: float) -> float:
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    return {
        "rps": len(latencies) / elapsed if elapsed else 0.0,
        "requests": len(latencies),
        "p50_ms": percentile(50),
        "p90_ms": percentile(90),
        "p99_ms": percentile(99),
        "errors": errors["status"] + errors["socket"] + errors["not_sent"],
        "non_2xx": errors["status"],
        "socket_errors": errors["socket"] + errors["not_sent"],
        "lag_ms": statistics.median(lag) * 1000 if lag else 0.0,
    }


def fixed_rate(
    port: int,
    build: Request,
    *,
    rate: float,
    seconds: float,
    max_in_flight: int = 256,
    timeout: float = 10.0,
) -> dict[str, Any]:
    """Send ``rate * seconds`` requests on schedule; latency figures in ms."""
    return asyncio.run(_drive(port, build, rate, seconds, max_in_flight, timeout))


def http_request(
    *, method: str, path: str, host: str, headers: dict[str, str], body: bytes = b""
) -> bytes:
    """One HTTP/1.1 request as bytes, closing the connection after the answer."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body
