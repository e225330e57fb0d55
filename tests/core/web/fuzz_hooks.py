"""schemathesis hooks for tests/core/web/test_openapi_fuzz.py (loaded by the ``st`` command
through ``SCHEMATHESIS_HOOKS``): generated paths often name the locality that has data and
ids that exist, so requests get past "not found" into the handlers; each request carries the
right token (an office user's, or an evaluator's for ``/api/ballot``)."""

from __future__ import annotations

import os

import schemathesis
from hypothesis import strategies as st

LOCALITY = os.environ.get("KAOPING_FUZZ_LOCALITY", "")
IDS = [int(value) for value in os.environ.get("KAOPING_FUZZ_IDS", "").split(",") if value]
OFFICE_TOKEN = os.environ.get("KAOPING_FUZZ_TOKEN", "")
BALLOT_TOKEN = os.environ.get("KAOPING_FUZZ_BALLOT_TOKEN", "")


MAX_ID = 2**31 - 1


@schemathesis.hook
def flatmap_path_parameters(context, path_parameters):
    """A valid code or id is often replaced by one that exists; an invalid one (negative
    testing: another type, out of range) is left as it is."""
    if not path_parameters:
        return st.just(path_parameters)
    options = {}
    for name, value in path_parameters.items():
        if name == "code" and LOCALITY and isinstance(value, str):
            options[name] = st.sampled_from([value, LOCALITY, LOCALITY, LOCALITY])
        elif name.endswith("id") and IDS and type(value) is int and 1 <= value <= MAX_ID:
            options[name] = st.sampled_from([value, *IDS])
        else:
            options[name] = st.just(value)
    return st.fixed_dictionaries(options)


@schemathesis.hook
def before_call(context, case, **kwargs):
    token = BALLOT_TOKEN if case.operation.path.startswith("/api/ballot") else OFFICE_TOKEN
    if token:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """Keep every failure but one kind: a scalar query parameter sent several times (schemathesis
    counts that as invalid; Litestar takes the last value, which is harmless) or a request made
    "invalid" only by leaving out the token that ``before_call`` puts back."""
    if getattr(failure, "code", "") != "ST201" or "Invalid component:" not in failure.message:
        return True
    described = failure.message.split("Invalid component:", 1)[1]
    components = [line.strip().removeprefix("- ") for line in described.splitlines() if line.strip()]
    if len(components) > 1 and not components[0].startswith(("query", "header", "path", "body")):
        components = components[1:]  # a header line naming the parameters, then one line each

    def ignorable(component: str) -> bool:
        return ("query" in component and "became array" in component) or (
            component.startswith("header") and "Authorization" in component
        )

    return not all(ignorable(component) for component in components)
