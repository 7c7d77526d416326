"""`GET /readyz`: the readiness check a load balancer polls (data/readiness.py says what it checks).

200 "ready" when this replica can serve; 503 with the problems, one a line, when it cannot, so the balancer
sends its users to another replica until it recovers. `/_stcore/health` stays as the liveness check.
"""

from __future__ import annotations

import asyncio

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse

from data.readiness import problems

TIMEOUT_SECONDS = 5.0  # a store that does not answer in time counts as not reachable
NO_ANSWER = "the store did not answer within 5 seconds"


async def readyz(request: Request) -> PlainTextResponse:
    try:
        found = await asyncio.wait_for(run_in_threadpool(problems), TIMEOUT_SECONDS)
    except TimeoutError:
        found = [NO_ANSWER]
    headers = {"Cache-Control": "no-store"}
    if found:
        return PlainTextResponse("not ready: " + "; ".join(found) + "\n", status_code=503, headers=headers)
    return PlainTextResponse("ready\n", headers=headers)
