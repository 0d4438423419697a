"""A generated media catalog: ~1,000 models over the four feeds, every quirk of the facts file
("Media and embedding catalogs") in realistic proportions, with the price lines each model must
give (so a test can check every line of the flattened table, not a sample of it).

``media_catalog(n)`` returns ``(feeds, expected)``: the four response bodies as dicts, and per
``(feed, id)`` the sorted expected lines ``(billable, resolution, duration, variant, price)``.
"""

from __future__ import annotations

import random
from typing import Any

Expected = dict[tuple[str, str], list[tuple[Any, ...]]]

#: Share of each feed in the media catalogs (about 470 media ids in a 1,097-id catalog).
FEED_SHARE = {"image": 0.45, "video": 0.25, "audio": 0.2, "embedding": 0.1}
_PIXELS = ["512x512", "1024x1024", "1024x1536", "1536x1024", "1376x768", "2048x2048", "768x1344"]
_ASPECTS = ["1:1", "16:9", "9:16", "19.5:9", "4:3"]
_NOISY = {0.003: 0.0030000000000000005, 0.06: 0.060000000000000005, 0.0003: 0.00030000000000000003}


def _price(rng: random.Random, low: float, high: float) -> float:
    return round(rng.uniform(low, high), 4) or low


def _image(rng: random.Random, i: int) -> tuple[dict, list]:
    kind = rng.choices(
        [
            "pixels",
            "mixed",
            "aspect",
            "auto",
            "default",
            "k",
            "p",
            "speeds",
            "noise",
            "string",
            "unknown",
            "flat",
        ],
        weights=[25, 10, 10, 10, 8, 8, 5, 6, 6, 4, 2, 6],
    )[0]
    per: dict[str, Any] = {}
    lines: list[tuple[Any, ...]] = []
    listed: list[str] = []
    pricing: dict[str, Any] = {"currency": "USD"}
    if kind in ("pixels", "mixed", "noise", "string"):
        for res in rng.sample(_PIXELS, rng.randint(1, 4)):
            price = _price(rng, 0.001, 0.2)
            key = res.replace("x", "*") if kind == "mixed" and rng.random() < 0.5 else res
            served: Any = price
            if kind == "noise":
                price = rng.choice(list(_NOISY))
                served = _NOISY[price]
            if kind == "string":
                served = str(price)
            per[key] = served
            lines.append(("image", res, None, None, price))
            listed.append(key)
        if kind == "mixed":  # both spellings of one resolution in one record, same price
            res = lines[0][1]
            other = res.replace("x", "*") if res in per else res
            per[other] = lines[0][4]
            lines.append(lines[0])
        if rng.random() < 0.3:
            listed.append("1184*896")  # listed, not priced
    elif kind == "aspect":
        for res in rng.sample(_ASPECTS, rng.randint(1, 4)):
            price = _price(rng, 0.01, 0.1)
            per[res] = price
            lines.append(("image", res, None, None, price))
            listed.append(res)
    elif kind in ("auto", "default"):
        price = _price(rng, 0.01, 0.2)
        per[kind] = price
        lines.append(("image", kind, None, None, price))
        listed = ["1024x1024", "1536x1024"]
    elif kind == "k":
        for res, price in (("1k", 0.14), ("2k", 0.14), ("4k", 0.24)):
            per[res] = price
            lines.append(("image", res, None, None, price))
            listed.append(res)
    elif kind == "p":
        for res, price in (("720p", 0.02), ("1080p", 0.04)):
            per[res] = price
            lines.append(("image", res, None, None, price))
            listed.append(res)
    elif kind == "speeds":
        base = _price(rng, 0.02, 0.1)
        per["default"] = base
        lines.append(("image", "default", None, None, base))
        per["by_rendering_speed"] = {}
        for speed, factor in (("turbo", 0.5), ("balanced", 1.0), ("quality", 1.5), ("flash", 0.25)):
            price = round(base * factor, 6)
            per["by_rendering_speed"][speed] = {"default": price}
            lines.append(("image", "default", None, speed, price))
        listed = ["1024x1024"]
    elif kind == "flat":
        price = _price(rng, 0.01, 0.1)
        pricing["per_image"] = price
        lines.append(("image", None, None, None, price))
    if kind == "unknown":
        pricing["per_megapixel"] = 0.012
        lines.append((None, None, None, None, None))
    elif kind != "flat":
        pricing["per_image"] = per
    record = {
        "id": f"img-{kind}-{i}",
        "object": "model",
        "name": f"Image {i}",
        "owned_by": rng.choice(["openai", "google", "black-forest-labs", "bytedance", "qwen"]),
        "created": 1760000000 + i,
        "architecture": {
            "modality": "text->image",
            "input_modalities": ["text"],
            "output_modalities": ["image"],
        },
        "capabilities": {
            "image_generation": True,
            "image_to_image": rng.random() < 0.4,
            "inpainting": False,
            "nsfw": False,
        },
        "supported_parameters": {"resolutions": listed, "max_images": rng.randint(1, 10)},
        "tags": ["image"],
        "category": "image",
        "pricing": pricing,
    }
    if kind == "speeds":
        record["supported_parameters"]["rendering_speed"] = [
            "turbo",
            "balanced",
            "quality",
            "flash",
        ]
    return record, lines


def _video(rng: random.Random, i: int) -> tuple[dict, list]:
    kind = rng.choices(
        [
            "per_video",
            "per_duration",
            "per_second_res",
            "per_resolution",
            "wan27",
            "toggle",
            "toggle_s",
            "raw_new",
        ],
        weights=[15, 15, 20, 15, 10, 10, 10, 5],
    )[0]
    lines: list[tuple[Any, ...]] = []
    pricing: dict[str, Any] = {"currency": "USD"}  # currency often comes first
    if kind == "per_video":
        price, seconds = _price(rng, 0.05, 1.0), rng.choice([5, 6, 8, 10])
        pricing.update(per_video=price, fixed_duration_seconds=seconds)
        lines.append(("video", None, float(seconds), None, price))
    elif kind == "per_duration":
        table = {}
        for seconds in sorted(rng.sample([5, 6, 8, 10], rng.randint(1, 3))):
            price = _price(rng, 0.1, 1.5)
            table[str(seconds)] = price
            lines.append(("video", None, float(seconds), None, price))
        pricing.update(per_duration=table, unit="per_video")
    elif kind in ("per_second_res", "per_resolution", "wan27"):
        table = {}
        for res in ("480p", "720p", "1080p")[: rng.randint(1, 3)]:
            price = _price(rng, 0.01, 0.5)
            table[res] = price
            billable = "video" if kind == "per_resolution" else "second"
            lines.append((billable, res, None, None, price))
        if kind == "per_second_res":
            pricing.update(
                per_second_by_resolution=table, default_duration=5, default_resolution="480p"
            )
        elif kind == "per_resolution":
            pricing.update(per_resolution=table, frame_multiplier=1.25, frame_threshold=81)
        else:
            pricing["raw"] = {
                "type": "wan27-video-dynamic",
                "pricesPerSecond": table,
                "defaultDuration": 5,
                "defaultResolution": "720p",
            }
    elif kind == "toggle":
        raw: dict[str, Any] = {"type": "resolution-duration-audio-toggle"}
        for variant, field, factor in (
            ("with_audio", "withAudioPrices", 2.0),
            ("without_audio", "withoutAudioPrices", 1.0),
        ):
            raw[field] = {}
            for res in ("720p", "1080p"):
                raw[field][res] = {}
                for seconds in (5, 10):
                    price = round(0.026 * seconds * factor * (2 if res == "1080p" else 1), 6)
                    raw[field][res][str(seconds)] = price
                    lines.append(("video", res, float(seconds), variant, price))
        pricing["raw"] = raw
    elif kind == "toggle_s":
        raw = {"type": "resolution-per-second-audio-toggle"}
        for variant, field, price in (
            ("with_audio", "withAudioPricesPerSecond", 0.0235),
            ("without_audio", "withoutAudioPricesPerSecond", 0.0118),
        ):
            raw[field] = {"720p": price}
            lines.append(("second", "720p", None, variant, price))
        pricing["raw"] = raw
    else:
        pricing["raw"] = {"type": f"new-type-{i % 3}", "tiers": {"720p": 1}}
        lines.append((None, None, None, None, None))
    record = {
        "currency": "USD",
        "id": f"vid-{kind}-{i}",
        "object": "model",
        "name": f"Video {i}",
        "owned_by": rng.choice(["kuaishou", "alibaba", "google", "bytedance", "minimax"]),
        "created": 1760000000 + i,
        "capabilities": {
            "video_generation": True,
            "text_to_video": True,
            "image_to_video": rng.random() < 0.5,
            "video_to_video": False,
            "audio_input": False,
            "audio_generation": kind.startswith("toggle"),
            "fps_control": False,
            "nsfw": False,
        },
        "settings": [{"name": "duration", "options": ["5", "10"]}],
        "category": "video",
        "pricing": pricing,
    }
    del record["currency"]  # the record itself carries no currency; its pricing does, first
    return record, lines


def _audio(rng: random.Random, i: int) -> tuple[dict, list]:
    kind = rng.choices(
        ["tts", "stt", "music", "music0", "block", "generation"], weights=[35, 30, 12, 5, 8, 10]
    )[0]
    lines: list[tuple[Any, ...]] = []
    record: dict[str, Any] = {
        "id": f"aud-{kind}-{i}",
        "object": "model",
        "name": f"Audio {i}",
        "owned_by": rng.choice(["openai", "elevenlabs", "google", "suno"]),
        "created": 1760000000 + i,
    }
    if kind == "tts":
        price = _price(rng, 0.01, 0.3)
        record.update(
            category="audio_tts",
            pricing={"per_thousand_chars": price, "currency": "USD"},
            supported_parameters={
                "max_chars": rng.choice([3000, 4096, 10000]),
                "voices": ["alloy", "nova"],
            },
        )
        lines.append(("thousand_chars", None, None, None, price))
    elif kind == "stt":
        price = rng.choice([0.006, 0.006000000000000001, 0.003, 0.01])
        record.update(
            category="audio_stt",
            pricing={"per_minute": price, "currency": "USD"},
            capabilities={
                "speech_to_text": True,
                "diarization": rng.random() < 0.3,
                "word_timestamps": True,
            },
        )
        lines.append(("minute", None, None, None, round(price, 9)))
    elif kind in ("music", "music0"):
        price = 0 if kind == "music0" else 0.0004
        record.update(
            category="audio_music",
            pricing={"per_second": price, "minimum": 0.05, "currency": "USD"},
        )
        lines.append(("second", None, None, None, float(price)))
    elif kind == "block":
        record.update(
            category="audio_music",
            pricing={"per_prompt_char_block": 0.09, "prompt_char_block_size": 300, "minimum": 0.09},
        )
        lines.append(("char_block", None, None, None, 0.09))
    else:
        record.update(category="audio_music", pricing={"per_generation": 0.04136000000000001})
        lines.append(("generation", None, None, None, 0.04136))
    return record, lines


def _embedding(rng: random.Random, i: int) -> tuple[dict, list]:
    price = rng.choice([0.005, 0.01, 0.02, 0.13, 0.2, "0.02"])
    rerank = i % 25 == 0
    record = {
        "id": f"emb-{i}",
        "object": "model",
        "name": f"Embedding {i}",
        "owned_by": "nanogpt",
        "created": 1760000000 + i,
        "dimensions": rng.choice([768, 1024, 1536, 3072]),
        "max_dimensions": 3072,
        "supports_dimensions": rng.random() < 0.5,
        "max_tokens": 8192,
        "category": "rerank" if rerank else "embedding",
        "pricing": {"per_million_tokens": price, "currency": "USD"},
    }
    return record, [("million_tokens", None, None, None, float(price))]


_MAKERS = {"image": _image, "video": _video, "audio": _audio, "embedding": _embedding}


def media_catalog(count: int = 1_000, seed: int = 19) -> tuple[dict[str, dict], Expected]:
    """Four feed bodies holding ``count`` models, and the expected lines of each model."""
    rng = random.Random(seed)
    feeds: dict[str, dict] = {}
    expected: Expected = {}
    for feed, share in FEED_SHARE.items():
        data = []
        for i in range(round(count * share)):
            record, lines = _MAKERS[feed](rng, i)
            if i % 97 == 5:  # an undocumented field; "catalog fields are additive"
                record["providers"] = ["internal"]
            data.append(record)
            expected[(feed, record["id"])] = sorted(lines, key=repr)
        body: dict[str, Any] = {"object": "list", "data": data}
        if feed != "embedding":
            body["meta"] = {"count": len(data), "generated_at": "2026-08-24T00:00:00Z"}
            if feed == "audio":
                body["meta"]["filter"] = "all"
        feeds[feed] = body
    return feeds, expected
