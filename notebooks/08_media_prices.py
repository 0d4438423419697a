# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 08 · Media prices: what an image, a minute of speech and a video second cost
#
# NanoGPT sells images, videos, speech, transcription, music and embeddings from four feeds of
# their own, each with its own pricing shapes (per image keyed by `1024x1024` *or* `1024*1024`,
# per second by resolution, per video of a fixed duration, audio on or off, per thousand
# characters, ...). `nf.load_media()` reads all four; `nf.media_prices()` turns every served
# price into one row; `nf.media_cost()` prices jobs by the same rules for every model.
#
# **About the data.** The bundled media sample uses the **real pricing shapes** of the facts file
# (several real pricing objects verbatim), on **illustrative** model ids and prices: read the
# method here, not the numbers. Switch `SOURCE` to `"live"` for today's catalog.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import nanogpt_frame as nf

SOURCE = "sample"  # <- switch to "live" for the live feeds

media = nf.load_media(source=SOURCE)
prices = nf.media_prices(media)
media.groupby("feed").size().rename("models").to_frame()

# %% [markdown]
# One row per served price. `billable` says what one unit is; `resolution` is normalised
# (`1024*1024` is `1024x1024`); durations, audio on/off and rendering speeds are columns.

# %%
prices[["feed", "id", "billable", "resolution", "duration_seconds", "variant", "price_usd",
        "minimum_usd", "shape", "price_key"]].sample(8, random_state=3).sort_values("feed")

# %% [markdown]
# ## What one image costs, model by model
#
# One 1024x1024 image on every image model. A model without a price for that exact resolution
# takes its `default` line, else its `auto` line; anything else stays unpriced, with the reason.

# %%
image_ids = media.loc[media["feed"] == "image", "id"]
one_image = nf.media_cost(
    pd.DataFrame({"model": image_ids, "images": 1, "resolution": "1024x1024"}), media
)
one_image.sort_values("cost")[["model", "line_resolution", "line_variant", "cost",
                               "unpriced_reason"]].reset_index(drop=True)

# %% [markdown]
# ### Image price by resolution
#
# Resolutions given in pixels (normalised, so `1024*1024` and `1024x1024` are one point) by
# megapixels; models that name their sizes by label (`1k`/`2k`/`4k`, `720p`, aspect ratios) are
# listed after the chart, since a label is not a size.

# %%
image_lines = prices[(prices["billable"] == "image") & prices["variant"].isna()
                     & prices["price_usd"].notna()].drop_duplicates(["id", "resolution"])
pixels = image_lines["resolution"].str.extract(r"^(\d+)x(\d+)$").astype(float)
image_lines = image_lines.assign(megapixels=pixels[0] * pixels[1] / 1e6)
sized = image_lines[image_lines["megapixels"].notna()]
fig, ax = plt.subplots(figsize=(8, 4.5))
for model, points in sized.sort_values("megapixels").groupby("id"):
    ax.plot(points["megapixels"], points["price_usd"].astype(float), marker="o", label=model)
ax.set_xscale("log")
ax.set_xlabel("megapixels per image (log scale)")
ax.set_ylabel("USD per image")
ax.set_title("Image price by resolution (pixel sizes)")
ax.legend(fontsize=8)
plt.tight_layout()
plt.show()

# %%
labelled = image_lines[image_lines["megapixels"].isna()]
labelled.pivot(index="id", columns="resolution", values="price_usd").astype(object).fillna("")

# %% [markdown]
# ## A minute of speech
#
# Transcription is priced per minute. Text-to-speech is priced per character: a minute of
# speech is about 150 words, say **900 characters** (an assumption: voices differ). Music is
# priced per second with a minimum per job, per block of prompt characters, or per generation.

# %%
audio = media[media["feed"] == "audio"]
stt = audio.loc[audio["category"] == "audio_stt", "id"]
tts = audio.loc[audio["category"] == "audio_tts", "id"]
minute = pd.concat([
    nf.media_cost(pd.DataFrame({"model": stt, "minutes": 1}), media).assign(job="transcribe 1 min"),
    nf.media_cost(pd.DataFrame({"model": tts, "characters": 900}), media).assign(job="speak 1 min"),
])
minute[["job", "model", "billable", "price_usd", "units", "cost"]].sort_values(["job", "cost"])

# %%
music = audio.loc[audio["category"] == "audio_music", "id"]
thirty = nf.media_cost(pd.DataFrame({"model": music, "seconds": 30, "characters": 200}), media)
thirty[["model", "billable", "price_usd", "units", "minimum_usd", "cost"]].sort_values("cost")

# %% [markdown]
# The minimum decides short music jobs: 30 s at 0.0004/s is 0.012, but the job costs the 0.05
# minimum; a model listing 0 per second still charges its minimum.
#
# ## A video second
#
# A 10-second 720p clip on every video model, with audio where a model prices audio on and off.
# Per-video prices cover their own duration (a 5 s video twice for 10 s); `per_resolution`
# models need the frame count, since a served `frame_multiplier` applies above its threshold.

# %%
video_ids = media.loc[media["feed"] == "video", "id"]
clip = nf.media_cost(
    pd.DataFrame({"model": video_ids, "seconds": 10, "resolution": "720p", "with_audio": True,
                  "frames": 81}),
    media,
)
clip["per_second"] = clip["cost"] / 10
clip.sort_values("per_second")[["model", "billable", "line_resolution", "line_variant",
                                "line_duration_seconds", "cost", "per_second",
                                "unpriced_reason"]].reset_index(drop=True)

# %% [markdown]
# ## The cheapest embedding per 1M tokens

# %%
nf.cheapest_media(prices, feed="embedding")[["rank", "id", "price_usd"]]

# %% [markdown]
# ## What the reader could not price
#
# A pricing shape the reader does not know is kept as a line with an unknown price, and named
# here: never dropped, never guessed.

# %%
nf.media_quality(media)
