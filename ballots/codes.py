"""One-time account codes: they live in ``core.codes`` (people's activation codes use them too);
every name is re-exported here so ``ballots.codes`` keeps working."""

from core.codes import *  # noqa: F401,F403
from core.codes import _EXTRA_DASHES, _LOOK_ALIKES, _ignored  # noqa: F401
