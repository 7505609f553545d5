"""The installed version of Boundary Bot."""

from __future__ import annotations

from importlib import metadata


def version() -> str:
    try:
        return metadata.version("boundary-bot")
    except metadata.PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown"
