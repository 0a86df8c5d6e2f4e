"""The command palette's entries for a screen's own actions, read from the registry."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from screens.actions import Action

__all__ = ["ScreenActions"]


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
