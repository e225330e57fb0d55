"""Accounts, evaluator login, drafts, submission and turnout: the ballots plugin's service layer,
re-exported from the modules that hold it (import from here or from them):

- ``ballots.accounts``: issuing, listing, revoking and replacing accounts, slips, turnout;
- ``ballots.login``: a slip's code exchanged for a ballot token, the limits on wrong codes;
- ``ballots.sheet``: the ballot sheet, item and policy checks;
- ``ballots.evaluator``: the evaluator's view and drafts;
- ``ballots.submit``: casting a ballot (and its SQLite path); ``ballots.submit_pg``: PostgreSQL.

The secrecy rules (DESIGN section 4): codes are stored only as HMACs; the plaintext of a
batch is held encrypted for a limited time so its slips can be printed; a cast ballot has a
random id, no link to its account and no time of its own. Submitting claims the account
with a conditional UPDATE, so a code votes once however many requests race.

Module constants are read where they are defined: patch ``ballots.login.MAX_LOGIN_FAILURES_*``
(say), not this module's copies.
"""

from __future__ import annotations

from ballots.accounts import (  # noqa: F401
    MAX_ACCOUNTS_PER_CALL,
    SLIP_HOLD,
    AccountOut,
    AccountsIn,
    CountsOut,
    Gone,
    IssuedAccount,
    IssuedAccounts,
    ProgressOut,
    Slip,
    SlipJob,
    issue_accounts,
    list_accounts,
    progress,
    purge_expired_slips,
    replace_account,
    revoke_account,
    slips_to_print,
)
from ballots.evaluator import save_draft, view  # noqa: F401
from ballots.login import (  # noqa: F401
    MAX_LOGIN_FAILURES_ALL,
    MAX_LOGIN_FAILURES_PER_CLIENT,
    TOKEN_TTL,
    WRONG_CODE,
    WRONG_CODE_SLOW_DOWN,
    BallotSession,
    LoginIn,
    LoginOut,
    _check_account,
    _check_open,
    login,
    login_limits,
    read_token,
    wrong_code,
)
from ballots.sheet import (  # noqa: F401
    MAX_COMMENT,
    AccountRow,
    BallotContext,
    BallotIn,
    BallotSheet,
    CampaignRow,
    ItemIn,
    SubmitOut,
    _check_items,
    _load,
    _policies,
    _sheet,
    _verdict,
)
from ballots.submit import (  # noqa: F401
    _SQLITE_CLAIM,
    _SQLITE_DELETE_DRAFT,
    _SQLITE_LOAD,
    _SQLITE_STAGE,
    SQLITE_BATCH,
    submit,
)
from ballots.submit_pg import _PG_LOAD, _PG_SUBMIT, PG_ASYNC_CONNECTIONS  # noqa: F401
