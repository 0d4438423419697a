"""Which of the caller's columns feeds each usage column: the mapping, the names, known aliases.

Order of choice for each contract name: the ``columns=`` mapping, else a column of that very name,
else a recognised provider name (OpenAI's ``prompt_tokens`` and ``completion_tokens``,
Anthropic's ``cache_read_input_tokens`` and ``cache_creation_input_tokens``). Nothing is guessed
beyond that: without an input and an output token column the usage is refused, and no source
column may feed two contract names (its tokens would count twice).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from nanogpt_frame.errors import ConfigError
from nanogpt_frame.schema import USAGE_COLUMNS
from nanogpt_frame.schema import USAGE_RECOGNISED_NAMES as RECOGNISED_NAMES

__all__ = ("UsageColumns", "resolve_columns", "resolve_usage")

#: (words, short prefix) that make a column look like input or output tokens in a message
_HINTS = {
    "input_tokens": (("input", "prompt"), "in"),
    "output_tokens": (("output", "completion"), "out"),
}


def _suggestion(name: str, found: Sequence[str], taken: set[str]) -> str:
    """A column of the caller's that looks like ``name`` (for the error message), else a blank."""
    words, prefix = _HINTS[name]
    for column in found:
        lower = str(column).lower()
        if column in taken or "cache" in lower:
            continue
        if any(w in lower for w in words) or (lower.startswith(prefix) and "tok" in lower):
            return str(column)
    return "<your column>"


def resolve_columns(
    found: Sequence[str], columns: Mapping[str, str] | None
) -> dict[str, str | None]:
    """Contract name -> the caller's column that feeds it (``None``: absent, counted as 0).

    >>> resolve_columns(["ts", "model", "prompt_tokens", "completion_tokens"], {"timestamp": "ts"})
    ... # doctest: +NORMALIZE_WHITESPACE
    {'timestamp': 'ts', 'model': 'model', 'input_tokens': 'prompt_tokens',
     'output_tokens': 'completion_tokens', 'cached_tokens': None, 'cache_write_tokens': None,
     'provider': None}
    """
    found = list(found)
    duplicated = sorted({str(c) for c in found if found.count(c) > 1})
    if duplicated:
        raise ConfigError(f"usage has several columns named {duplicated}; rename them first")
    mapping = dict(columns or {})
    unknown = sorted(set(mapping) - set(USAGE_COLUMNS))
    if unknown:
        raise ConfigError(f"columns= maps unknown names {unknown}; known: {list(USAGE_COLUMNS)}")
    present = set(found)
    for name, column in mapping.items():
        if column not in present:
            raise ConfigError(
                f"columns= maps {name!r} to {column!r}, but usage has no such column; "
                f"found columns: {found}"
            )
    names: dict[str, str | None] = {}
    for name in USAGE_COLUMNS:
        if name in mapping:
            names[name] = mapping[name]
        elif name in present:
            names[name] = name
        else:
            known = [c for c in RECOGNISED_NAMES.get(name, ()) if c in present]
            names[name] = known[0] if known else None
    fed: dict[str, list[str]] = {}
    for name, source in names.items():
        if source is not None:
            fed.setdefault(source, []).append(name)
    twice = {source: used for source, used in fed.items() if len(used) > 1}
    if twice:
        source, used = next(iter(twice.items()))
        raise ConfigError(
            f"usage column {source!r} would feed {used} (its values would count twice); "
            "map each name to a column of its own with columns="
        )
    for required in ("timestamp", "model"):
        if names[required] is None:
            raise ConfigError(
                f"usage has no {required!r} column ({mapping.get(required, required)!r}); map it "
                f"with columns={{'{required}': 'your column'}}; found columns: {found}"
            )
    lacking = [n for n in ("input_tokens", "output_tokens") if names[n] is None]
    if lacking:
        taken = {c for c in names.values() if c is not None}
        fix = ", ".join(f"'{n}': '{_suggestion(n, found, taken)}'" for n in lacking)
        looked = [n for name in lacking for n in (name, *RECOGNISED_NAMES[name])]
        raise ConfigError(
            f"usage has no {' and no '.join(lacking)} column (looked for {looked}); found "
            f"columns: {found}. Name yours with columns={{{fix}}} (--columns on the command "
            "line); cost_usage does not guess what was spent"
        )
    return names


@dataclass(frozen=True)
class UsageColumns:
    """Contract name -> the caller's column (``None``: absent), and whether the input includes
    the cached tokens: what every engine (pandas, DuckDB, Spark) knows before reading a row."""

    names: dict[str, str | None]
    input_includes_cached: bool

    def present(self) -> dict[str, str]:
        """The names that have a column of the caller's."""
        return {k: v for k, v in self.names.items() if v is not None}


def resolve_usage(
    found: Iterable[str],
    columns: Mapping[str, str] | None = None,
    *,
    input_includes_cached: bool | None = None,
) -> UsageColumns:
    """``resolve_columns`` plus the cached-input rule: ``None`` means the input includes the
    cached tokens exactly when its column is ``prompt_tokens`` (recognised or mapped; OpenAI's
    prompt count includes them); ``True`` or ``False`` is taken as given.

    >>> resolve_usage(["ts", "model", "prompt_tokens", "completion_tokens"],
    ...               {"timestamp": "ts"}).input_includes_cached
    True
    """
    names = resolve_columns(list(found), columns)
    if input_includes_cached is None:
        input_includes_cached = names["input_tokens"] == "prompt_tokens"
    return UsageColumns(names=names, input_includes_cached=bool(input_includes_cached))
