"""What tokens cost: blended prices for a token mix, and the cost of a concrete workload. Pure."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from nanogpt_frame.errors import ConfigError
from nanogpt_frame.schema import require_columns

__all__ = ("Workload", "blended_price", "ranking_price", "token_count", "workload_cost")


def token_count(value: Any, name: str = "tokens") -> int | float:
    """A token volume as a number: finite and non-negative; integral strings read exactly.

    Raises ``ConfigError`` for anything else (NaN, infinity, a negative number, a bool, text).

    >>> token_count("9007199254740993")  # above 2**53: kept exact, not rounded through a float
    9007199254740993
    >>> token_count(2.5e6)
    2500000.0
    """
    kind = type(value)
    number: Any = None
    if kind is int:
        number = value
    elif kind is str:
        text = value.strip().replace("_", "")
        if text.isdigit():
            number = int(text)
        else:
            try:
                number = float(text)
            except ValueError:
                number = None
    elif isinstance(value, (int, float)) and kind is not bool:  # numpy numbers included
        number = value.item() if hasattr(value, "item") else value
    if number is None or (isinstance(number, float) and not math.isfinite(number)) or number < 0:
        raise ConfigError(f"{name} must be a finite, non-negative number of tokens, not {value!r}")
    return number


def blended_price(
    df: pd.DataFrame, *, input_weight: float = 3.0, output_weight: float = 1.0
) -> pd.Series:
    """USD per 1M tokens for a token mix: the weighted mean of prompt and completion prices.

    The default 3:1 input:output mix is the common industry convention. A model with either price
    unknown gets ``<NA>``.

    Args:
        df: a models frame.
        input_weight, output_weight: the mix (non-negative, not both zero).

    Returns:
        A float Series named ``blended_price``, aligned with ``df``.

    >>> import nanogpt_frame as nf
    >>> df = nf.load("sample", endpoints="canonical")
    >>> price = blended_price(df)                      # (3 * prompt + completion) / 4
    >>> float(price[df["id"] == "openai/gpt-5.2"].iloc[0])
    4.8125
    """
    require_columns(df, ("price_prompt", "price_completion"), what="blended_price")
    if input_weight < 0 or output_weight < 0 or input_weight + output_weight <= 0:
        raise ConfigError("weights must be non-negative and not both zero")
    total = input_weight + output_weight
    price = (input_weight * df["price_prompt"] + output_weight * df["price_completion"]) / total
    return price.rename("blended_price")


@dataclass(frozen=True)
class Workload:
    """Token volumes of a workload (e.g. per day): fresh input, output, and cached input.

    ``cached_tokens`` are input tokens read from the prompt cache: priced at the cache-read price
    where the model has one, else at the prompt price. ``cache_write_tokens`` likewise at the
    cache-write price. All volumes are tokens, not millions.

    >>> daily = Workload(input_tokens=2_000_000, output_tokens=500_000, cached_tokens=1_000_000)
    >>> daily.cached_tokens
    1000000
    """

    input_tokens: float = 0
    output_tokens: float = 0
    cached_tokens: float = 0
    cache_write_tokens: float = 0

    def __post_init__(self) -> None:
        for name in ("input_tokens", "output_tokens", "cached_tokens", "cache_write_tokens"):
            object.__setattr__(self, name, token_count(getattr(self, name), name))

    @classmethod
    def of(cls, value: Workload | dict[str, Any]) -> Workload:
        if isinstance(value, Workload):
            return value
        try:
            return cls(**value)
        except TypeError as exc:
            raise ConfigError(f"not a workload: {value!r} ({exc})") from None


def workload_cost(
    df: pd.DataFrame, workload: Workload | dict[str, Any] | None = None, **volumes: float
) -> pd.Series:
    """USD cost of a workload on each model, using cache prices where the model has them.

    Args:
        df: a models frame.
        workload: a ``Workload`` or a dict of its fields; or pass the volumes as keywords.

    Returns:
        A float Series named ``workload_cost_usd`` (``<NA>`` where a needed price is unknown).

    >>> import nanogpt_frame as nf
    >>> df = nf.load("sample", endpoints="canonical")
    >>> cost = workload_cost(df, input_tokens=2e6, output_tokens=5e5, cached_tokens=1e6)
    >>> round(float(cost[df["id"] == "claude-sonnet-4-5-20250929"].iloc[0]), 4)  # 6 + 7.5 + 0.3
    13.8
    """
    require_columns(
        df,
        ("price_prompt", "price_completion", "price_cache_read", "price_cache_write"),
        what="workload_cost",
    )
    w = Workload.of(workload if workload is not None else volumes)
    prompt = df["price_prompt"]
    terms = [
        (w.input_tokens, prompt),
        (w.output_tokens, df["price_completion"]),
        (w.cached_tokens, df["price_cache_read"].fillna(prompt)),
        (w.cache_write_tokens, df["price_cache_write"].fillna(prompt)),
    ]
    cost = pd.Series(0.0, index=df.index, dtype=prompt.dtype)
    for tokens, price in terms:
        if tokens:  # a price that is not needed does not make the cost unknown
            cost = cost + tokens * price
    return (cost / 1e6).rename("workload_cost_usd")


def ranking_price(
    df: pd.DataFrame,
    workload: Workload | dict[str, Any] | None = None,
    *,
    input_weight: float = 3.0,
    output_weight: float = 1.0,
) -> pd.Series:
    """The price models are compared on: a workload's cost, else the blended price per 1M."""
    if workload is not None:
        return workload_cost(df, workload)
    return blended_price(df, input_weight=input_weight, output_weight=output_weight)
