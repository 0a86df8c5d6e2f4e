"""The line at the bottom of every screen: the keys that work here, and what they do.

One Static drawing one line, rather than Textual's Footer (a widget per key, about
40 ms to build on the first screen): it is redrawn on every focus change and
cursor move, and it is on every screen. Keys can be clicked, as in the Footer.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from screens.actions import by_id

__all__ = ["KeyBar"]


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
        padding: 0 1;
    }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._changed)
        self._changed()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _changed(self, *_: object) -> None:
        self.update(self.keys())

    def on_resize(self) -> None:
        self._changed()

    def keys(self) -> Text:
        """The keys in force here, as one line that fits: the screen's own keys first,
        then help, lock and the areas; whatever does not fit is in F1 help."""
        key_colour = self.app.theme_variables.get("footer-key-foreground", "")
        room = (self.size.width or self.app.size.width) - 2
        line = Text(no_wrap=True, end="")
        seen: set[str] = set()
        palette = by_id("app.palette").binding()
        entries = [(key, active.binding, active.enabled)
                   for key, active in self.screen.active_bindings.items()
                   if active.binding.show and active.binding.description]
        entries.sort(key=lambda entry: (entry[1].id or "").startswith("app."))
        entries.append((palette.key, palette, True))
        for key, binding, enabled in entries:
            if binding.action in seen:
                continue
            seen.add(binding.action)
            shown = self.app.get_key_display(binding)
            if len(line) + len(shown) + len(binding.description) + 1 > room:
                continue
            click = Style.from_meta({"@click": f"app.simulate_key({key!r})"})
            dim = Style(dim=not enabled)
            line.append(shown, Style(bold=True, color=key_colour or None) + dim + click)
            line.append(f" {binding.description}", dim + click)
            line.append("  ")
        line.rstrip()
        return line
