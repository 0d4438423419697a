"""The installed package version, read from package metadata once."""

from __future__ import annotations

from functools import cache


@cache
def package_version() -> str:
    """The version of the installed ``nanogpt-frame`` distribution (``0+unknown`` uninstalled)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nanogpt-frame")
    except PackageNotFoundError:
        return "0+unknown"
