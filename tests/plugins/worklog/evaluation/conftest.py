from __future__ import annotations

import pytest

from tests.plugins.worklog.evaluation.setup import open_world


@pytest.fixture
def quarter(ctx):
    """(world, template id, {dimension name: id}) with the quarter open."""
    return open_world(ctx)
