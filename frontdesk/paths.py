"""Where frontdesk keeps things on disk: one function per location."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

__all__ = ["config_file", "data_dir", "default_database", "demo_database", "printouts_dir",
           "reference"]

APP = "frontdesk"


def config_file() -> Path:
    """The TOML configuration: `FRONTDESK_CONFIG`, else the user config directory."""
    override = os.environ.get("FRONTDESK_CONFIG")
    if override:
        return Path(override)
    return platformdirs.user_config_path(APP) / "config.toml"


def data_dir() -> Path:
    """Where the clinic's databases live unless told otherwise."""
    return platformdirs.user_data_path(APP)


def default_database() -> str:
    """The database when neither `--db` nor `FRONTDESK_DB` names one."""
    return os.environ.get("FRONTDESK_DB") or str(data_dir() / "clinic.db")


def printouts_dir() -> Path:
    """Where receipts and drawer reports saved as PDF go: beside the databases."""
    return data_dir() / "printouts"


def demo_database() -> Path:
    """The demo clinic that `frontdesk --demo` builds once and reuses."""
    return data_dir() / "demo.db"


def reference(name: str):
    """A reference file shipped in data/ (names, payers, protocols...).

    Installed, data/ is the `frontdesk.data` package; in a source checkout it is
    the data/ directory beside frontdesk/.
    """
    from importlib import resources  # not at import: start-up time counts

    installed = resources.files("frontdesk") / "data"
    if installed.is_dir():
        return installed / name
    return Path(__file__).resolve().parent.parent / "data" / name
