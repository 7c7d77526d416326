"""How this project waits and tries again: one policy (tenacity) for every retry.

Two things are retried: opening the embedded file while another process holds its lock (`data.db`), and
recording an update that lost a write-write conflict (`data.actions`). Both wait `first_wait`, then twice as
long each time up to `max_wait`, and stop after a number of attempts or seconds. Only an error
`is_transient` accepts is tried again; any other is raised at once, as itself. When the tries run out,
tenacity raises `RetryError`, whose `last_attempt.exception()` is the last failure.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential,
)

__all__ = ["Retrying", "policy"]


def policy(
    is_transient: Callable[[BaseException], bool],
    *,
    first_wait: float,
    max_wait: float,
    attempts: int | None = None,
    seconds: float | None = None,
    jitter: bool = False,
) -> Retrying:
    """A retrying caller: `policy(...)(function, *args)` calls `function` until it succeeds or the tries run out.

    Give `attempts` (calls in all) or `seconds` (no new try after that long). `jitter` stretches each wait
    by a random 0–100%, so writers that collided do not collide again in step.
    """
    if (attempts is None) == (seconds is None):
        raise ValueError("Give the retry policy either attempts or seconds.")
    backoff = wait_exponential(multiplier=first_wait, exp_base=2, max=max_wait)

    def wait(state: RetryCallState) -> float:
        delay = backoff(state)
        return delay * (1 + random.random()) if jitter else delay

    return Retrying(
        retry=retry_if_exception(is_transient),
        stop=stop_after_attempt(attempts) if attempts is not None else stop_after_delay(seconds),
        wait=wait,
    )
