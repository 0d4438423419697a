"""Why a reconciled group's bill differs from the catalog: the likeliest cause the data shows.

Each check recomputes the group under one hypothesis (a chosen provider, the subscription, a
price change within the day, refunds) and keeps it only when the bill then matches within the
tolerance. The text starts with ``likely:`` (a check that accounts for the bill, with its
figures), ``possible:`` (a sign the data shows, not enough to account for it) or
``unexplained:`` (what was checked, and what the data cannot show). Pure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = ("ABSOLUTE_FLOOR_USD", "Group", "close", "explain", "first_reason", "unpriced_reason")

#: ``cost_usage``'s reasons for a row that chose a provider and has no route price.
NO_ROUTES = "provider route not loaded: pass routes="
UNKNOWN_ROUTE = "unknown route"

#: Differences at or below this many USD always match (rounding of per-request bills).
ABSOLUTE_FLOOR_USD = 1e-6


def close(a: float, b: float, tolerance: float) -> bool:
    """Whether two USD amounts agree within ``tolerance`` (relative) or the absolute floor.

    >>> close(1.0, 1.009, 0.01), close(1.0, 1.02, 0.01), close(0.0, 5e-7, 0.01)
    (True, False, True)
    """
    gap = abs(a - b)
    return gap <= ABSOLUTE_FLOOR_USD or gap <= tolerance * max(abs(a), abs(b))


def _usd(value: float) -> str:
    return f"{value:.6g} USD" if abs(value) >= 1e-4 or value == 0 else f"{value:.3g} USD"


@dataclass
class Group:
    """One reconciled group: its costed rows and both totals."""

    rows: pd.DataFrame  # columns: expected, list, billed, provider, payment_source, in_sub,
    # snapshot, model, input, output, cached, cache_write, p_prompt, p_completion, p_cache_read,
    # p_cache_write, request_id
    expected: float
    billed: float
    row_billed: bool  # the bill is known per row (logged responses), not per group only
    refunded: float = math.nan
    billed_requests: float = math.nan


def _route_snapshots(rows: pd.DataFrame) -> str:
    stamps = sorted({pd.Timestamp(s).strftime("%Y-%m-%d") for s in rows["snapshot"].dropna()})
    later = bool(rows["basis"].astype("string").eq("before_history").fillna(False).any())
    return (f"the routes snapshot(s) of {', '.join(stamps) or 'unknown date'}"
            + (", taken after some of these requests (price_basis before_history)" if later
               else ""))  # fmt: skip


def _provider(g: Group, tol: float) -> str | None:
    """Rows that chose a provider are costed at the route's price (``cost_usage`` routes=)."""
    chosen = g.rows["provider"].notna()
    if not chosen.any():
        return None
    names = ", ".join(sorted(set(g.rows.loc[chosen, "provider"].astype(str))))
    n = int(chosen.sum())
    when = _route_snapshots(g.rows[chosen])
    if g.row_billed:
        exp_p, bill_p = g.rows.loc[chosen, "expected"].sum(), g.rows.loc[chosen, "billed"].sum()
        exp_o, bill_o = g.rows.loc[~chosen, "expected"].sum(), g.rows.loc[~chosen, "billed"].sum()
        if close(exp_o, bill_o, tol) and not close(exp_p, bill_p, tol):
            ratio = f", x{bill_p / exp_p:.3g}" if exp_p else ""
            return (
                f"likely: the provider route's price. The whole difference is in the {n} "
                f"request(s) that chose a provider ({names}): billed {_usd(bill_p)} against "
                f"{_usd(exp_p)} at the route's price of {when}{ratio}, while the other requests "
                "match. The route's price when they ran differs from the one costed: cost "
                "them with routes snapshots from their time"
            )
    return (
        f"possible: {n} of {len(g.rows)} request(s) chose a provider ({names}), costed at the "
        f"route's price of {when}, which may have changed since"
    )


def _subscription(g: Group, tol: float) -> str | None:
    rows = g.rows
    covered = (rows["in_sub"] == 1.0) & (rows["expected"] == 0) & (rows["list"] > 0)
    if g.row_billed:
        covered &= rows["billed"] > 0
    if covered.any() and g.billed > g.expected:
        listed = rows.loc[covered, "list"].sum()
        if close(g.expected + listed, g.billed, tol):
            sources = rows.loc[covered, "payment_source"].dropna().astype(str)
            paid = f" from payment source {', '.join(sorted(set(sources)))}" if len(sources) else ""
            return (
                f"likely: the subscription did not cover {int(covered.sum())} request(s). The "
                f"catalog lists the model in the subscription (expected 0), but they were "
                f"billed{paid}, and at their list price ({_usd(listed)}) the expected matches "
                "the bill: pay-as-you-go was forced (X-Billing-Mode: paygo) or the quota ran out"
            )
    if g.row_billed:
        free = (rows["billed"] == 0) & (rows["expected"] > 0)
        source = rows["payment_source"].astype("string").str.contains("subscription", case=False)
        free &= source.fillna(False).astype(bool)
        waived = rows.loc[free, "expected"].sum()
        if free.any() and close(g.expected - waived, g.billed, tol):
            return (
                f"likely: the subscription covered {int(free.sum())} request(s): their payment "
                "source is the subscription (billed 0), although the catalog did not list the "
                f"model in the subscription then (expected {_usd(waived)})"
            )
    elif g.billed == 0 and g.expected > 0:
        return "possible: the subscription covered these requests (billed 0)"
    return None


def _reprice(rows: pd.DataFrame, prices: pd.Series) -> float:
    cache = prices["p_cache_read"] if not math.isnan(prices["p_cache_read"]) else prices["p_prompt"]
    write = prices["p_cache_write"] if not math.isnan(prices["p_cache_write"]) else 0.0
    charged = rows["expected"] > 0
    parts = (
        rows["input"] * prices["p_prompt"]
        + rows["output"] * prices["p_completion"]
        + rows["cached"] * cache
        + rows["cache_write"] * write
    ) / 1e6
    return float(parts.where(charged, 0.0).sum())


def _price_change(g: Group, tol: float) -> str | None:
    rows = g.rows
    stamps = rows["snapshot"].dropna()
    if rows["model"].nunique() != 1 or stamps.nunique() < 2:
        return None
    ordered = sorted(stamps.unique())
    first = rows[rows["snapshot"] == ordered[0]].iloc[0]
    for stamp in ordered:
        at = rows[rows["snapshot"] == stamp].iloc[0]
        alternative = _reprice(rows, at)
        if not close(alternative, g.billed, tol):
            continue
        when = pd.Timestamp(stamp).strftime("%Y-%m-%d %H:%M UTC")
        changed = [
            f"{label} {first[c]:.6g} -> {rows[rows['snapshot'] == ordered[-1]].iloc[0][c]:.6g}"
            for c, label in (("p_prompt", "prompt"), ("p_completion", "completion"))
            if first[c] != rows[rows["snapshot"] == ordered[-1]].iloc[0][c]
        ]
        others = int((rows["snapshot"] != stamp).sum())
        newest = stamp == ordered[-1]
        return (
            f"likely: a price change within the day ({', '.join(changed) or 'prices'} per 1M; "
            f"a snapshot on this day changed them). At the price of the snapshot of {when} for "
            f"every request the expected is {_usd(alternative)}, which matches the bill; "
            f"{others} request(s) were expected at the {'older' if newest else 'newer'} price. "
            + (
                "NanoGPT changed the price before the snapshot recorded it"
                if newest
                else "NanoGPT's billing took the change after the snapshot recorded it"
            )
        )
    return None


def _refunds(g: Group, tol: float) -> str | None:
    if math.isnan(g.refunded) or g.refunded <= 0:
        return None
    net = g.billed - g.refunded
    if close(net, g.expected, tol):
        return (
            f"likely: refunds. NanoGPT refunded {_usd(g.refunded)} of the {_usd(g.billed)} "
            f"billed; the net {_usd(net)} matches the catalog"
        )
    return f"possible: {_usd(g.refunded)} was refunded (net {_usd(net)})"


def explain(g: Group, tolerance: float) -> str:
    """The likeliest explanation of an ``over``/``under`` group, with its reasoning."""
    found = [
        text
        for check in (_provider, _subscription, _price_change, _refunds)
        if (text := check(g, tolerance)) is not None
    ]
    likely = [t for t in found if t.startswith("likely")]
    if likely:
        return "; ".join(likely + [t for t in found if not t.startswith("likely")])
    if g.expected and g.billed:
        ratio = f"billed {_usd(g.billed)} is x{g.billed / g.expected:.4g} the expected"
    else:
        ratio = f"billed {_usd(g.billed)} against the expected"
    notes = []
    if not math.isnan(g.billed_requests) and g.billed_requests != len(g.rows):
        notes.append(
            f"NanoGPT counted {int(g.billed_requests)} request(s), the log {len(g.rows)}: the "
            "log may be missing requests (or hold some the API has not counted)"
        )
    ids: list[Any] = []
    if g.row_billed:
        rows = g.rows
        pairs = zip(rows["billed"], rows["expected"], strict=True)
        off = [not close(b, e, tolerance) for b, e in pairs]
        gap = (rows["billed"] - rows["expected"]).abs()[off]
        top = rows.loc[gap.sort_values(ascending=False).index[:3]]
        ids = [i for i in top["request_id"].tolist() if isinstance(i, str)]
    tail = f"; ask NanoGPT about request(s) {', '.join(ids)}" if ids else ""
    cannot = (
        "The data cannot show a flex/priority service tier, a long-context SKU or a billing "
        f"error{tail}"
    )
    if found:  # signs, none of them enough to account for the bill
        return (
            "; ".join(found)
            + f". Not confirmed: {ratio} {_usd(g.expected)}, and the bill is "
            + ("known per request" if g.row_billed else "known per day and label only")
            + (f" ({'; '.join(notes)})" if notes else "")
            + f". {cannot}"
        )
    return (
        f"unexplained: {ratio} {_usd(g.expected)}, and neither a chosen provider, the "
        "subscription, a price change within the day nor refunds account for it"
        + (f" ({'; '.join(notes)})" if notes else "")
        + f". {cannot}"
    )


def first_reason(reasons: pd.Series, requests: int) -> str:
    """Why a group is unpriced: its requests' reasons, most frequent first."""
    counts = reasons.dropna().astype(str).value_counts()
    said = ", ".join(f"{reason} ({n})" for reason, n in counts.items())
    return (
        f"{int(counts.sum())} of {requests} request(s) have no catalog price ({said}): "
        "expected unknown, not 0"
    )


def unpriced_reason(rows: pd.DataFrame, row_billed: bool, tolerance: float = 0.01) -> str:
    """Why a group is unpriced; for requests that chose a provider and have no route price,
    what would price them (``cost_usage(..., routes=)``) and how the rest of the group fares.

    ``rows`` has the columns of ``Group.rows`` plus ``reason``.
    """
    reasons = rows["reason"].astype(object)
    routed = rows["provider"].notna() & reasons.isin([NO_ROUTES, UNKNOWN_ROUTE])
    if not routed.any():
        return first_reason(rows["reason"], len(rows))
    others = rows["reason"].notna() & ~routed
    parts = [first_reason(rows.loc[others, "reason"], len(rows))] if others.any() else []
    names = ", ".join(sorted(set(rows.loc[routed, "provider"].astype(str))))
    missing = int((routed & reasons.isin([NO_ROUTES])).sum())
    unknown = rows.loc[routed & reasons.isin([UNKNOWN_ROUTE])]
    if missing:
        parts.append(
            f"{missing} of {len(rows)} request(s) chose a provider ({names}) and were costed "
            f"without routes ({NO_ROUTES}): expected unknown, not 0. A chosen provider is "
            "billed pay-as-you-go at its route's price, never at the catalog's and never "
            "covered by the subscription; pass routes= to cost_usage (CLI: --routes) to price "
            "them"
        )
    if len(unknown):
        pairs = sorted({f"{m} via {p}" for m, p in zip(unknown["model"], unknown["provider"],
                                                        strict=True)})  # fmt: skip
        parts.append(
            f"{len(unknown)} of {len(rows)} request(s) chose a route the routes do not price at "
            f"their time ({UNKNOWN_ROUTE}: {', '.join(pairs)}): expected unknown, not 0; load "
            "routes that list it"
        )
    if row_billed:
        bill = rows.loc[routed, "billed"]
        if bill.notna().all():
            parts.append(f"they were billed {_usd(float(bill.sum()))}")
        rest = rows.loc[rows["reason"].isna()]
        if len(rest) and rest["billed"].notna().all():
            expected, billed = float(rest["expected"].sum()), float(rest["billed"].sum())
            verdict = "match" if close(expected, billed, tolerance) else "differ from"
            parts.append(
                f"the other {len(rest)} request(s) {verdict} their bill (expected "
                f"{_usd(expected)}, billed {_usd(billed)})"
            )
    return "; ".join(parts)
