"""Streamlit's own JavaScript, CSS and fonts answered from memory once served: every fresh browser fetches 70
to 150 of them, and Streamlit's static handler costs about 2 ms of the server's CPU a file (two trips
to a worker thread, a `stat` and a read), about half of a fresh visit's (`python -m bench visits`).

Only answers Streamlit itself marks `immutable` (its content-hashed files under `/static/`) are kept, exactly as
it sent them (status, headers, body), and never one that sets a cookie or varies by request; its own handler
still decides every other answer, a conditional or ranged request, and the first request for each file. A
proxy in front (docs/operations.md) takes the same files off the app altogether."""

from __future__ import annotations

from dataclasses import dataclass, field

STATIC_SEGMENT = "/static/"
MOST_BYTES = 40 * 1024 * 1024  # more than Streamlit's whole static folder (~25 MB): a bound, never reached
_ASKS_FOR_PART = (b"range", b"if-none-match", b"if-modified-since", b"if-range")


@dataclass
class _Answer:
    start: dict
    body: bytes


@dataclass
class StaticAssets:
    """ASGI middleware: kept answers for Streamlit's immutable static files; everything else passes through."""

    app: object
    most_bytes: int = MOST_BYTES
    answers: dict[str, _Answer] = field(default_factory=dict)
    held_bytes: int = 0

    async def __call__(self, scope, receive, send) -> None:
        if not self._may_keep(scope):
            await self.app(scope, receive, send)
            return
        answer = self.answers.get(scope["path"])
        if answer is None:
            await self._pass_and_keep(scope, receive, send)
            return
        await send(answer.start)
        body = b"" if scope["method"] == "HEAD" else answer.body
        await send({"type": "http.response.body", "body": body, "more_body": False})

    @staticmethod
    def _may_keep(scope) -> bool:
        return (
            scope["type"] == "http"
            and scope["method"] in ("GET", "HEAD")
            and STATIC_SEGMENT in scope["path"]
            and not scope.get("query_string")
            and not any(name in _ASKS_FOR_PART for name, _ in scope["headers"])
        )

    async def _pass_and_keep(self, scope, receive, send) -> None:
        """Streamlit answers; a whole 200 marked immutable to a GET is kept for the next browser."""
        held: dict = {}
        body: list[bytes] = []

        async def send_and_keep(message) -> None:
            if message["type"] == "http.response.start":
                headers = dict(message["headers"])
                if (
                    scope["method"] == "GET"
                    and message["status"] == 200
                    and b"immutable" in headers.get(b"cache-control", b"")
                    and b"content-encoding" not in headers
                    and b"set-cookie" not in headers  # one browser's cookie, never replayed to another
                    and b"vary" not in headers
                ):
                    held["start"] = message
            elif message["type"] == "http.response.body" and "start" in held:
                body.append(message.get("body", b""))
                if not message.get("more_body"):
                    self._keep(scope["path"], held["start"], b"".join(body))
            await send(message)

        await self.app(scope, receive, send_and_keep)

    def _keep(self, path: str, start: dict, body: bytes) -> None:
        if path in self.answers:  # two browsers asked at once: kept by the first
            return
        length = dict(start["headers"]).get(b"content-length")
        if length is not None and int(length) != len(body):  # not whole: let Streamlit answer again
            return
        if self.held_bytes + len(body) > self.most_bytes:
            return
        self.answers[path] = _Answer(start, body)
        self.held_bytes += len(body)
