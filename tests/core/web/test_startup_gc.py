"""The objects alive once the app has started are kept out of the cyclic garbage collector's
reach (core/web/app.py ``_freeze_startup_objects``): each full collection under a burst of
ballots walked them all again (README, Benchmarks)."""

from __future__ import annotations

import gc

from litestar.testing import TestClient

from core.web.app import create_app


def test_the_app_freezes_what_it_holds_when_it_starts(ctx):
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        with TestClient(create_app(ctx, audit_monitor=False)) as client:
            assert client.get("/health").status_code == 200
            assert gc.get_freeze_count() > 10_000  # modules, routes, models: far more than this
    finally:
        gc.unfreeze()  # the test process goes on collecting as before
