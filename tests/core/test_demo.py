"""`kaoping demo` prints, besides the demo county's office login, a platform admin's: users and
roles, every locality's sign-in log and the locality switch are reachable from the printed
logins alone (issue #10 'Done when')."""

from __future__ import annotations

import re

from core.demo import DEMO_CITY, DEMO_LOCALITY, load_demo
from core.models import Role
from core.services import auth


def test_the_demo_prints_a_working_platform_admin_login(ctx):
    login = load_demo(ctx)
    found = [re.search(r"platform admin (\S+) / (\S+)$", line) for line in login.notes]
    (platform,) = [match for match in found if match]
    username, password = platform.groups()
    user = auth.authenticate(ctx, username, password, client="test")
    assert user.role == Role.platform_admin and user.locality_id is None
    assert DEMO_CITY[1] in platform.string and DEMO_LOCALITY[1] in platform.string
    assert auth.authenticate(ctx, login.username, login.password, client="test").role == Role.office
