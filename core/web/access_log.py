"""The access log of the evaluators' ballot routes, quiet by default.

uvicorn writes one line per request (logger ``uvicorn.access``). On the ballot routes (the
``/b/`` pages and the ``/api/ballot`` API) that is hundreds of lines a second while a meeting
submits at once, a cost on the hot path, and each line tells when an evaluator signed in and
submitted, which the ballot's secrecy does without. Those lines are dropped unless the setting
``KAOPING_BALLOT_ACCESS_LOG`` is true; every other route is logged as before.
"""

from __future__ import annotations

import logging

ACCESS_LOGGER = "uvicorn.access"
BALLOT_API = "/api/ballot"
BALLOT_PAGES = "/b/"


def is_ballot_path(path: str) -> bool:
    """Whether ``path`` (may carry a query string) is one of the evaluators' ballot routes."""
    path = path.partition("?")[0]
    return path.startswith(BALLOT_PAGES) or path == BALLOT_API or path.startswith(BALLOT_API + "/")


class QuietBallotRoutes(logging.Filter):
    """Drops uvicorn's access lines of ballot routes while ``quiet`` is true."""

    def __init__(self) -> None:
        super().__init__()
        self.quiet = True

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.quiet:
            return True
        args = record.args  # uvicorn: (client, method, path with query, HTTP version, status)
        return not (isinstance(args, tuple) and len(args) > 2 and isinstance(args[2], str) and is_ballot_path(args[2]))


_FILTER = QuietBallotRoutes()


def configure(log_ballot_routes: bool) -> None:
    """Log the ballot routes' requests (True) or not (False) from now on, in this process."""
    _FILTER.quiet = not log_ballot_routes
    logging.getLogger(ACCESS_LOGGER).addFilter(_FILTER)  # once: the same filter is not added twice
