"""The command palette's entries for a screen's own actions, read from the registry."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from frontdesk.dates import short
from frontdesk.text import one_line
from screens.actions import Action

__all__ = ["ScreenActions", "PatientProvider"]


class ScreenActions(Provider):
    """Offers the actions of the screen the palette was opened on (its `ACTIONS`)."""

    def _entries(self) -> list[tuple[str, Action]]:
        actions: tuple[Action, ...] = getattr(self.screen, "ACTIONS", ())
        prefix = getattr(self.screen, "AREA", "")
        return [(f"{prefix}: {a.help[0].lower()}{a.help[1:]}" if prefix else a.help, a)
                for a in actions if a.palette]

    async def discover(self) -> Hits:
        for title, action in self._entries():
            if self.screen.check_action(action.action.split("(")[0], ()) is not False:
                yield DiscoveryHit(title, partial(self.screen.run_action, action.action), help=action.description)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, action in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self.screen.run_action, action.action),
                          text=title, help=action.description)


class PatientProvider(Provider):
    """Finds patients from the palette (ctrl+p), with the same search as F3, audited the
    same way; choosing one opens their record in the Patients area."""

    MIN_LETTERS = 3
    """Shorter than this, the palette is looking for a command, not a person."""

    async def search(self, query: str) -> Hits:
        person = self.app.signed_in
        if person is None or self.app.locked or len(query.strip()) < self.MIN_LETTERS:
            return
        hits = await asyncio.to_thread(_search, query, person)
        for rank, hit in enumerate(hits):
            title = (f"patient: {one_line(hit.filed_name)}  {short(hit.dob)}  "
                     f"MRN {hit.mrn}")
            yield Hit(1.0 - rank / 100, title, partial(self.app.open_patient, hit.patient_id),
                      text=title, help="Open the patient's record")


def _search(query: str, person) -> list:
    from frontdesk import db, patients

    with db.database.connection_context():  # a thread of its own: its own connection
        return patients.search(query, 8, by=person)
