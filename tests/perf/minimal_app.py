"""The yardstick for cold start: a minimal Textual app with a Header, DataTable and Footer."""

from textual.app import App
from textual.widgets import DataTable, Footer, Header


class Minimal(App):
    def compose(self):
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Time", "Provider")
        table.add_row("9:00", "MINIMAL-READY")


if __name__ == "__main__":
    Minimal().run()
