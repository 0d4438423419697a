"""Build the synthetic account sample in data/account/ (deterministic; re-run after editing).

    python tools/make_account_sample.py

A month (July 2026) of logged API responses (``responses.jsonl``) and the usage API's answer for
the same month (``usage.json``), both billed at the sample history's prices
(``nanogpt_frame.sample_history()``) except for the PLANTED discrepancies below, which
``data/README.md`` lists and ``tests/test_reconcile.py`` expects ``reconcile`` to find exactly.
Also a balance (``balance.json``) and a subscription quota answer (``subscription_usage.json``).
Everything here is invented; none of it is NanoGPT's data.
"""

from __future__ import annotations

import json
import random
import sys
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

import nanogpt_frame as nf  # noqa: E402

OUT = ROOT / "data" / "account"
START = datetime(2026, 7, 1, tzinfo=UTC)
DAYS = 31
SEED = 20260701
UNKNOWN = "openai/gpt-4o-mini-2024-07-18"  # not in the catalog: unpriced
LABEL_UNKNOWN = "GPT-4o mini (2024-07-18)"  # its usage label: no catalog model has it
ROUTED = ("2026-07-08", "moonshotai/kimi-k2.5", "fireworks")  # day, model, chosen provider

# model id -> (shape, requests per day, input range, output range, cached share)
MODELS = {
    "openai/gpt-5.2": ("openai", 4, (2_000, 30_000), (200, 3_000), 0.5),
    "claude-sonnet-4-5-20250929": ("anthropic", 3, (4_000, 60_000), (300, 4_000), 0.6),
    "x-ai/grok-4.3": ("openai_stream", 3, (1_000, 12_000), (100, 1_500), 0.3),
    "google/gemini-2.5-flash": ("openai", 3, (1_000, 20_000), (100, 2_000), 0.2),
    "moonshotai/kimi-k2.5": ("openai", 4, (2_000, 40_000), (200, 4_000), 0.0),
    "z-ai/glm-4.6": ("anthropic", 2, (2_000, 30_000), (200, 3_000), 0.0),
}

#: The discrepancies planted in the responses log, as (day, model id): what reconcile must find.
PLANTED = {
    ("2026-07-08", "moonshotai/kimi-k2.5"): "unpriced without routes=, match with them: two "
    "requests chose provider 'fireworks', billed pay-as-you-go at the sample route's price "
    "(1.3125x the catalog's; a chosen provider is never covered by the subscription)",
    ("2026-07-12", "moonshotai/kimi-k2.5"): "over: a subscription model billed at list price "
    "from the balance (paymentSource USD: pay-as-you-go forced)",
    ("2026-07-16", "claude-sonnet-4-5-20250929"): "under: a paid model covered by the "
    "subscription (paymentSource subscription, billed 0)",
    ("2026-07-20", "openai/gpt-5.2"): "under: requests before the 06:00 snapshot billed at the "
    "new, lower price (price changed within the day)",
    ("2026-07-25", "x-ai/grok-4.3"): "over: one request billed 3x, nothing in the data explains "
    "it (unexplained)",
    ("2026-07-28", "google/gemini-2.5-flash"): "unbilled: three responses logged without "
    "x_nanogpt_pricing",
    ("2026-07-30", UNKNOWN): "unpriced: requests to an id the catalog does not list",
}
#: The discrepancies planted in the usage API answer only (reconcile against spend).
PLANTED_SPEND = {
    ("2026-07-05", "Claude Sonnet 4.5"): "over: a failed request billed 0.5 USD and refunded "
    "(refundedUsd), so the net matches",
    ("2026-07-30", LABEL_UNKNOWN): "unmatched: a label no catalog model has",
    ("2026-07-31", "*"): "a missing rollup day: no buckets; the log's requests are unbilled",
}


def requests(rng: random.Random) -> list[dict]:
    out = []
    for day in range(DAYS):
        base = START + timedelta(days=day)
        for model, (shape, per_day, inputs, outputs, cached_share) in MODELS.items():
            for _ in range(per_day + rng.randint(-1, 1)):
                seconds = rng.randint(0, 86_399)
                out.append(request(rng, base + timedelta(seconds=seconds), model, shape,
                                   inputs, outputs, cached_share))  # fmt: skip
    gpt_day = START + timedelta(days=19)  # 07-20: three requests before the 06:00 snapshot
    for hour in (1, 3, 5):
        out.append(request(rng, gpt_day + timedelta(hours=hour, minutes=7), "openai/gpt-5.2",
                           "openai", (2_000, 30_000), (200, 3_000), 0.5))  # fmt: skip
    unknown_day = START + timedelta(days=29)
    for hour in (9, 14):
        out.append(request(rng, unknown_day + timedelta(hours=hour), UNKNOWN, "openai",
                           (1_000, 5_000), (100, 500), 0.0))  # fmt: skip
    out = sorted(out, key=lambda r: r["time"])
    routed = [
        r for r in out if r["model"] == ROUTED[1] and r["time"].date().isoformat() == ROUTED[0]
    ]
    for r in routed[:2]:  # two requests that chose a provider: billed at the route's price
        r["provider"] = ROUTED[2]
    return out


def request(rng, when, model, shape, inputs, outputs, cached_share) -> dict:
    total_input = rng.randint(*inputs)
    cached = int(total_input * cached_share * rng.random()) if cached_share else 0
    return {
        "time": when.replace(microsecond=rng.randint(0, 999) * 1000),
        "model": model,
        "shape": shape,
        "uncached": total_input - cached,
        "cached": cached,
        "output": rng.randint(*outputs),
        "reasoning": rng.randint(0, 200) if shape == "openai" else 0,
        "provider": None,
    }


def priced(reqs: list[dict]) -> pd.DataFrame:
    usage = pd.DataFrame(
        {
            "timestamp": [r["time"].isoformat().replace("+00:00", "Z") for r in reqs],
            "model": [r["model"] for r in reqs],
            "input_tokens": [r["uncached"] for r in reqs],
            "output_tokens": [r["output"] for r in reqs],
            "cached_tokens": [r["cached"] for r in reqs],
            "cache_write_tokens": [0] * len(reqs),
            "provider": [r["provider"] for r in reqs],
        }
    )  # a chosen provider's request is billed at the sample route's price (routes=)
    return nf.cost_usage(usage, nf.sample_history(), routes=nf.load_routes(source="sample"))


def response(r: dict, number: int, pricing: dict | None, provider: str | None) -> dict:
    created = int(r["time"].timestamp())
    stamp = r["time"].isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if r["shape"] == "anthropic":
        body: dict = {
            "id": f"msg_{number:06d}",
            "type": "message",
            "role": "assistant",
            "model": r["model"],
            "content": [{"type": "text", "text": "..."}],
            "stop_reason": "end_turn",
            "usage": {
                "input_tokens": r["uncached"],
                "output_tokens": r["output"],
                "cache_read_input_tokens": r["cached"],
                "cache_creation_input_tokens": 0,
            },
        }
        line: dict = {"ts": stamp, "response": body}  # Anthropic messages carry no created
    else:
        usage = {
            "prompt_tokens": r["uncached"] + r["cached"],  # OpenAI: includes the cached
            "completion_tokens": r["output"],
            "total_tokens": r["uncached"] + r["cached"] + r["output"],
            "prompt_tokens_details": {"cached_tokens": r["cached"]},
            "completion_tokens_details": {"reasoning_tokens": r["reasoning"]},
        }
        stream = r["shape"] == "openai_stream"
        body = {
            "id": f"chatcmpl-{number:06d}",
            "object": "chat.completion.chunk" if stream else "chat.completion",
            "created": created,
            "model": r["model"],
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]
            if stream
            else [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "..."},
                    "finish_reason": "stop",
                }
            ],
            "usage": usage,
        }
        line = body
    if provider:
        body["provider"] = provider
    if pricing is not None:
        body["x_nanogpt_pricing"] = pricing
    return line


def main() -> int:
    rng = random.Random(SEED)
    reqs = requests(rng)
    costed = priced(reqs)
    lines: list[str] = []
    billed_by: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0, 0, 0, 0])
    names = dict(zip(nf.load("sample")["id"], nf.load("sample")["name"], strict=True))
    gemini_0728 = 0
    grok_0725 = 0
    for number, (r, row) in enumerate(zip(reqs, costed.itertuples(), strict=True), start=1):
        day = r["time"].date().isoformat()
        key = (day, r["model"])
        list_cost = row.list_cost if pd.notna(row.list_cost) else None
        cost = row.cost if pd.notna(row.cost) else None
        source = "subscription" if cost == 0 and (list_cost or 0) > 0 else "USD"
        bill = cost if cost is not None else 0.00042  # an unknown id: NanoGPT bills something
        provider = r["provider"]
        if key == ("2026-07-12", "moonshotai/kimi-k2.5"):
            source, bill = "USD", list_cost
        if key == ("2026-07-16", "claude-sonnet-4-5-20250929"):
            source, bill = "subscription", 0.0
        if key == ("2026-07-20", "openai/gpt-5.2") and r["time"].hour < 6:
            bill = (r["uncached"] * 1.75 + r["output"] * 14.0 + r["cached"] * 1.75) / 1e6
        if key == ("2026-07-25", "x-ai/grok-4.3") and grok_0725 == 0:
            grok_0725 += 1
            bill = bill * 3
        bill = round(bill, 10)
        pricing: dict | None = {
            "cost": bill,
            "amount": bill,
            "currency": "USD",
            "paymentSource": source,
            "inputTokens": r["uncached"] + r["cached"],
            "outputTokens": r["output"],
            "cacheReadInputTokens": r["cached"],
        }
        if r["model"] == "google/gemini-2.5-flash":
            pricing = {"amount": f"{bill:.10f}", "paymentSource": source}  # only amount, as text
        if key == ("2026-07-28", "google/gemini-2.5-flash") and gemini_0728 < 3:
            gemini_0728 += 1
            pricing = None
        lines.append(json.dumps(response(r, number, pricing, provider), separators=(",", ":")))
        label = names.get(r["model"], LABEL_UNKNOWN if r["model"] == UNKNOWN else r["model"])
        sums = billed_by[(day, label)]
        sums[0] += bill
        sums[1] += 1
        sums[2] += r["uncached"] + r["cached"]
        sums[3] += r["output"]
        sums[4] += r["reasoning"]
    # lines that are not responses: skipped and counted by read_responses, never fatal
    noise = [
        '{"event":"request","ts":"2026-07-03T10:00:00Z","model":"openai/gpt-5.2"}',
        '{"id":"chatcmpl-x","object":"chat.completion.chunk","created":1783072800,'
        '"model":"x-ai/grok-4.3","choices":[{"index":0,"delta":{"content":"Hel"}}]}',
        '{"error":{"message":"Insufficient balance","type":"invalid_request_error"}}',
        "",
        '{"truncated": ',
    ]
    for offset, text in zip((40, 150, 300, 420, 555), noise, strict=True):
        lines.insert(offset, text)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "responses.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    write_usage(billed_by)
    (OUT / "balance.json").write_text(json.dumps({
        "usd_balance": "129.46956147", "nano_balance": "26.71801147",
        "_received_at": "2026-08-01T00:10:00Z"}, indent=1) + "\n", "utf-8")  # fmt: skip
    (OUT / "subscription_usage.json").write_text(json.dumps({
        "active": True, "allowOverage": False, "limits": {"weeklyInputTokens": 60_000_000},
        "weeklyInputTokens": {"used": 41_234_567, "remaining": 18_765_433, "percentUsed": 0.6872,
                              "resetAt": 1785801600000},
        "state": "active", "graceUntil": None}, indent=1) + "\n", "utf-8")  # fmt: skip
    print(f"wrote {len(lines)} lines, {len(billed_by)} usage buckets to {OUT}")
    return 0


def bucket(day: str, label: str, sums: list, refunded: float = 0.0, extra: int = 0) -> dict:
    cost = round(sums[0], 10)
    return {
        "date": day,
        "model": label,
        "requests": sums[1] + extra,
        "costUsd": cost,
        "refundedUsd": refunded,
        "netCostUsd": round(max(0.0, cost - refunded), 10),
        "inputTokens": sums[2],
        "outputTokens": sums[3],
        "reasoningTokens": sums[4],
        "totalTokens": sums[2] + sums[3],
    }


def write_usage(billed_by: dict) -> None:
    rows = []
    for (day, label), sums in sorted(billed_by.items()):
        if day == "2026-07-31":  # the missing rollup day: not counted yet
            continue
        if (day, label) == ("2026-07-05", "Claude Sonnet 4.5"):
            sums = [sums[0] + 0.5, *sums[1:]]
            rows.append(bucket(day, label, sums, refunded=0.5, extra=1))
            continue
        rows.append(bucket(day, label, sums))

    def total(group: str) -> list[dict]:
        merged: dict[str, list] = defaultdict(lambda: [0.0, 0, 0, 0, 0, 0.0])
        for row in rows:
            name = row["date"] if group == "day" else row["model"]
            m = merged[name]
            m[0] += row["costUsd"]
            m[1] += row["requests"]
            m[2] += row["inputTokens"]
            m[3] += row["outputTokens"]
            m[4] += row["reasoningTokens"]
            m[5] += row["refundedUsd"]
        out = []
        for name, m in sorted(merged.items()):
            b = bucket(name if group == "day" else "", name, m[:5], refunded=m[5])
            b["requests"] = m[1]
            if group == "day":
                b.pop("model")
            else:
                b.pop("date")
            out.append(b)
        return out

    all_rows = [r for r in rows]
    grand = [0.0, 0, 0, 0, 0]
    for r in all_rows:
        grand[0] += r["costUsd"]
        grand[1] += r["requests"]
        grand[2] += r["inputTokens"]
        grand[3] += r["outputTokens"]
        grand[4] += r["reasoningTokens"]
    totals = bucket("", "", grand, refunded=0.5)
    totals.pop("date")
    totals.pop("model")
    days = [(START + timedelta(days=d)).date().isoformat() for d in range(DAYS)]
    payload = {
        "object": "usage",
        "scope": "apiKey",
        "apiKey": {"id": 4242},
        "from": days[0],
        "to": days[-1],
        "timezone": "UTC",
        "groupBy": "day,model",
        "asOf": "2026-08-01T00:10:00.000Z",
        "source": {"rollupDays": days[:-1], "liveDays": [], "missingRollupDays": [days[-1]]},
        "totals": totals,
        "byDay": total("day"),
        "byModel": total("model"),
        "byDayModel": rows,
    }
    (OUT / "usage.json").write_text(json.dumps(payload, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    sys.exit(main())
