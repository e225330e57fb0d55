"""The shape every change of a locality's row takes (units, teams, people, subjects): one write
transaction in the locality (``locality_for``: 404 for one the actor may not change), the row
found in it or 404 (``get_in_locality``), the caller's checks and changes, then the row written
and the change recorded in the audit log (``audit.record``: ``<target>.create`` with what was
made, ``<target>.update`` with the fields that changed, before and after, ``<target>.delete``
with what was deleted).

    with editing(ctx, actor, code, "subject", subject_out) as edit:
        subject = edit.load(Subject, subject_id)  # 404 unless it is the locality's; its "before"
        subject.name = "..."                      # the caller's checks and changes
        return edit.saved(subject)                # flushed, converted, audited
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any, Generic, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from core.context import Actor, AppContext
from core.schemas.base import MAX_ID
from core.services import audit
from core.services.access import locality_for
from core.services.errors import Conflict, NotFound, field_error

M = TypeVar("M", bound=SQLModel)
Out = TypeVar("Out")


def get_in_locality(session: Session, model: type[M], locality_id: int, item_id: int, label: str) -> M:
    """Fetch by id within one locality; an id of another locality is simply not found."""
    item = session.get(model, item_id) if 1 <= item_id <= MAX_ID else None  # the database refuses larger ids
    if item is None or item.locality_id != locality_id:
        raise NotFound(f"no {label} with id {item_id} in this locality")
    return item


def get_in_locality_field(
    session: Session, model: type[M], locality_id: int, item_id: int, field: str, label: str
) -> M:
    """Like ``get_in_locality`` for an id given in the request body: a 422 that names the field."""
    item = session.get(model, item_id) if 1 <= item_id <= MAX_ID else None
    if item is None or item.locality_id != locality_id:
        raise field_error(field, f"no {label} with id {item_id} in this locality")
    return item


@contextmanager
def conflict_on_integrity(message: str) -> Iterator[None]:
    """Turn a unique-constraint race (caught at commit) into a 409 instead of a 500."""
    try:
        yield
    except IntegrityError as exc:
        raise Conflict(message) from exc


class Edit(Generic[Out]):
    """One audited change of a row of the locality ``locality_id``, in ``session``'s transaction."""

    def __init__(
        self, session: Session, actor: Actor, locality_id: int, target: str, convert: Callable[[Session, Any], Out]
    ) -> None:
        self.session, self.actor, self.locality_id, self.target, self.convert = (
            session,
            actor,
            locality_id,
            target,
            convert,
        )
        self.before: dict | None = None

    def load(self, model: type[M], item_id: int) -> M:
        """The row of ``model`` with that id in the locality, or 404; remembered as it was."""
        return self.loaded(get_in_locality(self.session, model, self.locality_id, item_id, self.target))

    def loaded(self, row: M) -> M:
        """Remember ``row`` as it was (a row the caller found itself, e.g. within a unit admin's scope)."""
        self.before = self._dump(row)
        return row

    def saved(self, row: Any) -> Out:
        """Write ``row`` and audit it: created when it was not loaded, else updated (the fields changed)."""
        self.session.add(row)
        self.session.flush()
        out = self.convert(self.session, row)
        after = out.model_dump()  # type: ignore[attr-defined]
        if self.before is None:
            self._record("create", row.id, after=after)
        else:
            old, new = audit.changed_fields(self.before, after)
            self._record("update", row.id, before=old, after=new)
        return out

    def deleted(self, row: Any) -> None:
        """Delete ``row`` and audit what it was (as loaded, else as it is now)."""
        before = self.before if self.before is not None else self._dump(row)
        row_id = row.id
        self.session.delete(row)
        self._record("delete", row_id, before=before)

    def _dump(self, row: Any) -> dict:
        return self.convert(self.session, row).model_dump()  # type: ignore[attr-defined]

    def _record(self, verb: str, target_id: Any, *, before: dict | None = None, after: dict | None = None) -> None:
        audit.record(
            self.session,
            self.actor,
            locality_id=self.locality_id,
            action=f"{self.target}.{verb}",
            target_type=self.target,
            target_id=target_id,
            before=before,
            after=after,
        )


@contextmanager
def editing(
    ctx: AppContext,
    actor: Actor,
    code: str,
    target: str,
    convert: Callable[[Session, Any], Out],
    *,
    conflict: str | None = None,
) -> Iterator[Edit[Out]]:
    """A write transaction in the locality ``code`` for one audited change of a ``target``
    (unit, team, person, subject); ``conflict``: the 409's message should a unique constraint
    refuse the commit (two offices adding the same code at once)."""
    with conflict_on_integrity(conflict) if conflict else nullcontext(), ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        yield Edit(session, actor, locality.id, target, convert)
