"""Realistic synthetic catalogs for benchmarks: the bundled sample's records, multiplied and varied.

Every quirk of the facts file appears at a realistic rate: per-1K cache prices, float noise,
numbers as strings, null prices and limits, missing capability keys, the three cost_estimate
forms, variants, case pairs, unknown fields.
"""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "canonical.json"
SUFFIXES = ("", "", "", ":thinking", ":low", ":32000", "-latest", "-preview")


def synthetic_models(count: int, *, seed: int = 7) -> list[dict]:
    """``count`` model records shaped like the live API's detailed listing."""
    rng = random.Random(seed)
    templates = json.loads(SAMPLE.read_text())["data"]
    models = []
    for i in range(count):
        record = copy.deepcopy(templates[i % len(templates)])
        base = record["id"].split(":")[0]
        record["id"] = f"{base}-v{i // len(templates)}{SUFFIXES[i % len(SUFFIXES)]}"
        if i % 97 == 0:
            record["id"] = record["id"].upper()  # case pairs with their lower-case twins
        pricing = record.setdefault("pricing", {})
        scale = rng.uniform(0.5, 2.0)
        for key in ("prompt", "completion"):
            value = pricing.get(key)
            if isinstance(value, (int, float)):
                pricing[key] = value * scale + 1e-17 * rng.random()  # float noise
        if i % 50 == 0:
            pricing["prompt"] = str(pricing.get("prompt"))  # a number sent as a string
        if i % 211 == 0:
            pricing["completion"] = None
        if i % 7 == 0:
            pricing["cacheReadInputPer1kTokens"] = 0.0001 * scale
        if i % 31 == 0:
            record["context_length"] = None
        caps = record.get("capabilities") or {}
        if i % 5 == 0 and caps:
            caps.pop(next(iter(caps)))  # a missing key: unknown
        record["cost_estimate"] = ("$", {"cheap": True}, 0.0042)[i % 3]
        if i % 13 == 0:
            record["open_weights"] = bool(i % 2)
        models.append(record)
    return models


def synthetic_listings(count: int, *, seed: int = 7) -> dict[str, dict]:
    """Canonical, subscription and paid listings for ``count`` models (sub: every third)."""
    models = synthetic_models(count, seed=seed)
    sub = [m for i, m in enumerate(models) if i % 3 == 0]
    paid = [m for i, m in enumerate(models) if i % 3 != 0]
    listings = {
        "canonical": {"object": "list", "data": models},
        "subscription": {"object": "list", "data": sub},
        "paid": {"object": "list", "data": paid},
    }
    # Round-trip through JSON: benchmarks then see objects as a user's json.loads() makes them.
    return {name: json.loads(json.dumps(body)) for name, body in listings.items()}
