"""Which of the caller's columns hold what: the usage names, mapped and recognised. Pure.

Works on column names alone, so every engine (pandas, DuckDB, Spark) resolves a usage log the same
way before it reads a single row: the SPEC names, then ``columns=``, then the recognised names of
the OpenAI and Anthropic usage exports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from nanogpt_frame.errors import ConfigError

__all__ = ("RECOGNISED", "USAGE_NAMES", "UsageColumns", "resolve_usage_columns")

TOKENS = ("input_tokens", "output_tokens", "cached_tokens", "cache_write_tokens")
USAGE_NAMES = ("timestamp", "model", *TOKENS, "provider")
#: Token column names used when the SPEC name is absent and no mapping is given, in preference.
RECOGNISED: dict[str, tuple[str, ...]] = {
    "input_tokens": ("prompt_tokens",),  # OpenAI: includes the cached tokens
    "output_tokens": ("completion_tokens",),
    "cached_tokens": ("cache_read_input_tokens",),
    "cache_write_tokens": ("cache_creation_input_tokens",),
}


@dataclass(frozen=True)
class UsageColumns:
    """Contract name -> the caller's column (``None``: absent, counts as 0 or no provider)."""

    names: dict[str, str | None]
    input_includes_cached: bool

    def present(self) -> dict[str, str]:
        return {k: v for k, v in self.names.items() if v is not None}


def resolve_usage_columns(
    found: Iterable[str],
    columns: Mapping[str, str] | None = None,
    *,
    input_includes_cached: bool = False,
) -> UsageColumns:
    """Resolve the usage columns from the names a log has (see ``cost_usage``).

    >>> resolve_usage_columns(["ts", "model", "prompt_tokens", "completion_tokens"],
    ...                       {"timestamp": "ts"}).names["input_tokens"]
    'prompt_tokens'

    Raises:
        ConfigError: a mapping of unknown names, two names mapped to one column, a mapped
            column that is absent, or no timestamp, model, input or output token column.
    """
    found = list(found)
    mapping = dict(columns or {})
    unknown = sorted(set(mapping) - set(USAGE_NAMES))
    if unknown:
        raise ConfigError(f"columns= maps unknown names {unknown}; known: {list(USAGE_NAMES)}")
    targets = list(mapping.values())
    twice = sorted({t for t in targets if targets.count(t) > 1})
    if twice:
        raise ConfigError(f"columns= maps two names to the same column {twice}: refused")
    names: dict[str, str | None] = {}
    includes = input_includes_cached
    for name in USAGE_NAMES:
        if name in mapping:
            if mapping[name] not in found:
                raise ConfigError(
                    f"columns= maps {name!r} to {mapping[name]!r}, which the usage does not "
                    f"have; its columns: {found}"
                )
            names[name] = mapping[name]
        elif name in found and name not in targets:
            names[name] = name
        else:
            alternatives = [c for c in RECOGNISED.get(name, ()) if c in found and c not in targets]
            names[name] = alternatives[0] if alternatives else None
            if name == "input_tokens" and names[name] == "prompt_tokens":
                includes = True
    for required in ("timestamp", "model"):
        if names[required] is None:
            raise ConfigError(
                f"usage has no {required!r} column; its columns: {found}; map it "
                f"with columns={{'{required}': 'your column'}}"
            )
    lacking = [n for n in ("input_tokens", "output_tokens") if names[n] is None]
    if lacking:
        hint = ", ".join(f"'{n}': 'your column'" for n in lacking)
        raise ConfigError(
            f"usage has no {' and no '.join(lacking)} column, so what was spent is unknown; its "
            f"columns: {found}; map them with columns={{{hint}}}"
        )
    return UsageColumns(names=names, input_includes_cached=includes)
