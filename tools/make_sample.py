"""Build the bundled sample catalog in data/ (deterministic; re-run after editing the tables).

    python tools/make_sample.py

Records marked REAL come from ../shared/reference/nanogpt-api-facts.md (real records and raw
pricing objects, mid-2026); ids marked SEED are named in the official endpoint page; everything
else is ILLUSTRATIVE: plausible, shaped like the API, but not a real price. data/README.md says so.
"""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "data"
AS_OF = "2026-08-24"
CREATED = 1736966400  # the API repeats one value for most models; do not read it as a release date

FLAG_KEYS = {
    "V": "vision", "R": "reasoning", "T": "tool_calling", "P": "parallel_tool_calls",
    "S": "structured_output", "D": "pdf_upload", "I": "video_input", "A": "audio_input",
}  # fmt: skip
ICONS = {
    "openai": "/icons/OpenAI.svg", "anthropic": "/icons/Anthropic.svg",
    "google": "/icons/Google.svg", "gemini": "/icons/Google.svg", "x-ai": "/icons/xAI.svg",
    "deepseek": "/icons/DeepSeek.svg", "qwen": "/icons/Qwen.svg", "zhipu": "/icons/Zhipu.svg",
    "moonshotai": "/icons/Moonshot.svg", "meta-llama": "/icons/Meta.svg",
    "mistralai": "/icons/Mistral.svg",
}  # fmt: skip
POLICY = {
    "allowed": ("allowed", "License permits distillation", "permissive-open-weights",
                "https://www.apache.org/licenses/LICENSE-2.0",
                "Open-weights license permits using outputs for training."),
    "deepseek": ("allowed", "Provider terms permit distillation", "deepseek-api-terms",
                 "https://platform.deepseek.com/downloads/DeepSeek%20Open%20Platform%20Terms%20of%20Service.html",
                 "DeepSeek's API terms permit output use for model training."),
    "closed": ("disallowed", "Provider terms restrict distillation",
               "closed-provider-restriction", "https://openai.com/policies/terms-of-use",
               "Closed provider terms forbid using outputs to develop competing models."),
    "restricted": ("disallowed", "Output use restricted", "provider-output-use-restriction",
                   None, "Provider terms restrict output use; check before training."),
    "unknown": ("unknown", "Distillation terms unknown", "provider-terms-unknown", None,
                "No recorded license or provider terms for this model."),
}  # fmt: skip
CLOSED_OWNERS = {"openai", "anthropic", "gemini", "x-ai", "amazon", "cohere", "perplexity"}


def caps(flags: str | None) -> dict[str, bool] | None:
    if flags is None:
        return None
    return {FLAG_KEYS[c.upper()]: c.isupper() for c in flags.replace(" ", "")}


def model(
    mid: str,
    owned: str,
    name: str,
    prompt,
    completion,
    ctx,
    out,
    flags: str | None,
    inputs: str = "text",
    *,
    sub: bool,
    outputs: str = "text",
    cache_read=None,
    cache_write=None,
    efforts: tuple[str, ...] = (),
    estimate=None,
    policy: str | None = "auto",
    category: str | None = None,
    description: str | None = None,
    created: int = CREATED,
    extra: dict | None = None,
    pricing_extra: dict | None = None,
) -> dict:
    record: dict = {
        "id": mid,
        "object": "model",
        "created": created,
        "owned_by": owned,
        "name": name,
    }
    record["description"] = description or f"{name} served through NanoGPT."
    record["context_length"] = ctx
    record["max_output_tokens"] = out
    capabilities = caps(flags)
    if capabilities is not None:
        record["capabilities"] = capabilities
    pricing: dict = {"prompt": prompt, "completion": completion}
    if cache_read is not None:
        pricing["cacheReadInputPer1kTokens"] = cache_read
    if cache_write is not None:
        pricing["cacheWriteInputPer1kTokens"] = cache_write
    pricing.update({"currency": "USD", "unit": "per_million_tokens"})
    pricing.update(pricing_extra or {})
    record["pricing"] = pricing
    record["architecture"] = {
        "input_modalities": inputs.split("+"),
        "output_modalities": outputs.split("+"),  # served beside input_modalities (schema 2)
    }
    if efforts:
        record["reasoning_efforts"] = list(efforts)
    record["icon_url"] = ICONS.get(owned, "/icons/Default.svg")
    if estimate is None:
        try:
            blended = (3 * float(prompt) + float(completion)) / 4
            estimate = "$" if blended < 1 else "$$" if blended < 8 else "$$$"
        except (TypeError, ValueError):
            estimate = "$$"
    record["cost_estimate"] = estimate
    if category:
        record["category"] = category
    if policy == "auto":
        policy = "closed" if owned in CLOSED_OWNERS else "allowed"
    if policy:
        status, label, basis, url, note = POLICY[policy]
        record["distillationPolicy"] = {
            "status": status,
            "label": label,
            "basis": basis,
            **({"sourceUrl": url} if url else {}),
            "note": note,
        }
    if owned in CLOSED_OWNERS:  # open_weights is served for some models only
        record["open_weights"] = False
    elif policy == "allowed":
        record["open_weights"] = True
    record.update(extra or {})
    return record, sub


EFF = ("low", "medium", "high")
EFFX = ("none", "minimal", "low", "medium", "high", "xhigh")

# fmt: off
M = [
    # ---- REAL records (facts file table; "?" subscription status decided by price) ----
    model("openai/gpt-5.2", "openai", "GPT-5.2", 1.75, 14.0, 400000, 128000, "VRTPSD", "text+image+pdf", sub=False, efforts=EFFX, category="flagship"),
    model("openai/gpt-5.4-pro", "openai", "GPT-5.4 Pro", 30, 180, 922000, 128000, "VRTPSD", "text+image+pdf", sub=False, cache_read=0.003, efforts=("medium", "high", "xhigh"), estimate={"cheap": False}, category="flagship"),
    model("anthropic/claude-opus-4.6", "anthropic", "Claude Opus 4.5", 4.998, 25.007, 1000000, 128000, "VRTPSD", "text+image+pdf", sub=False, category="flagship"),
    model("anthropic/claude-opus-4.6:thinking", "anthropic", "Claude Opus 4.6 Thinking", 4.998, 25.007, 1000000, 128000, "VRTPSD", "text+image+pdf", sub=False, category="reasoning"),
    model("anthropic/claude-sonnet-4.6", "anthropic", "Claude Sonnet 4.6", 2.992, 14.993999999999998, 1000000, 128000, "VrTPSD", "text+image+pdf", sub=False),
    model("google/gemini-3-flash-preview", "google", "Gemini 3 Flash Preview", 0.5, 3.0, 1048756, 65536, "VRTS", "text+image", sub=False, policy="closed"),
    model("google/gemini-3.1-pro-preview", "google", "Gemini 3.1 Pro Preview", 2, 12, 1048756, 65536, "VRTS", "text+image", sub=False, cache_read=0.0002, policy="closed", category="flagship"),
    model("gemini-3-pro-image-preview", "gemini", "Gemini 3 Pro Image Preview", 2.0, 12.0, 1048756, 65536, "VrtS", "text+image", sub=False, estimate=0.0058, outputs="text+image"),
    model("x-ai/grok-4.20", "x-ai", "Grok 4.20", 2, 6, 2000000, 131072, "VRTS", "text+image", sub=False),
    model("x-ai/grok-4.3", "x-ai", "Grok 4.3", 1.25, 2.5, 1000000, 1000000, "VRTS", "text+image", sub=False, cache_read=0.0002),
    model("moonshotai/kimi-k2.5", "moonshotai", "Kimi K2.5", 0.3, 1.9, 256000, 65536, "VrTs", "text+image", sub=True, extra={"open_weights": True}),
    model("moonshotai/kimi-k2.5:thinking", "moonshotai", "Kimi K2.5 Thinking", 0.3, 1.9, 256000, 65536, "VRTs", "text+image", sub=True, extra={"open_weights": True}),
    model("z-ai/glm-4.6", "zhipu", "GLM 4.6", 0.4, 1.5, 200000, 65535, "vRTS", sub=True),
    model("zai-org/glm-4.7", "zhipu", "GLM 4.7", 0.15, 0.8, 200000, 128000, "vRTS", sub=True),
    model("zai-org/glm-4.7:thinking", "zhipu", "GLM 4.7 Thinking", 0.2, 0.8, 200000, 65535, "vRTS", sub=True),
    model("deepseek/deepseek-v3.2", "deepseek", "DeepSeek V3.2", 0.27999999999999997, 0.42000000000000004, 163000, 65536, "VrTS", "text+pdf", sub=True, policy="deepseek"),
    model("deepseek/deepseek-v3.2:thinking", "deepseek", "DeepSeek V3.2 Thinking", 0.27999999999999997, 0.42000000000000004, 163000, 65536, "VRTS", "text+pdf", sub=True, policy="deepseek"),
    model("deepseek/deepseek-v4-flash", "deepseek", "DeepSeek V4 Flash", 0.14, 0.28, 1048576, 384000, "vRTS", sub=True, cache_read=0.000028, policy="deepseek"),
    model("qwen/qwen3-coder-next", "qwen", "Qwen3 Coder Next", 0.15, 1.5, 262144, 65536, "vrTS", sub=True),
    model("qwen/qwen3-coder-plus", "qwen", "Qwen3 Coder Plus", 1, 5, 128000, 65536, "vrts", sub=False, policy="restricted"),
    model("qwen/qwen3-coder-flash", "qwen", "Qwen3 Coder Flash", 0.3, 1.5, 128000, 65536, "vrts", sub=False, policy="restricted"),
    model("auto-model", "other", "Auto Model", 0.0, 0.0, 1000000, 1000000, "vrts", sub=True, policy=None, estimate={"cheap": True}, description="Routes each request to a suitable model."),
    # ---- REAL ids and prompt prices seen in the 623-model catalog (facts file); rest illustrative ----
    model("linkup-research-standard", "linkup", "Linkup Research (standard)", 131.25, 131.25, 128000, 16384, "vrts", sub=False, policy="unknown", category="research"),
    model("linkup-research-high", "linkup", "Linkup Research (high)", 787.5, 787.5, 128000, 16384, "vrts", sub=False, policy="unknown", category="research"),
    model("linkup-research-xhigh", "linkup", "Linkup Research (xhigh)", 1312.5, 1312.5, 128000, 16384, "vrts", sub=False, policy="unknown", category="research"),
    model("nano-gpt-help", "other", "NanoGPT Help", 0.0, 0.0, 128000, 8192, "vrts", sub=True, policy=None, description="Answers questions about NanoGPT itself."),
    model("gpt-audio-preview", "openai", "GPT Audio Preview", None, None, 128000, 16384, "vrTs", "text+audio", sub=False, outputs="text+audio"),
    model("Doctor-Shotgun/MS3.2-24B-Magnum-Diamond", "Doctor-Shotgun", "MS3.2 24B Magnum Diamond", 0.49299999999999994, 0.49299999999999994, 16384, 32768, "vrts", sub=True, policy="unknown"),
    model("Gryphe/MythoMax-L2-13b", "Gryphe", "MythoMax L2 13B", 0.1003, 0.1003, 4000, 4096, "vrts", sub=True, policy="unknown"),
    # ---- REAL raw pricing objects (text catalog, 2026-08-24); other fields illustrative ----
    model("claude-sonnet-4-5-20250929", "anthropic", "Claude Sonnet 4.5", 3, 15, 200000, 64000, "VRTPSD", "text+image+pdf", sub=False, cache_read=0.00030000000000000003),
    model("alibaba/qwen3.6-flash", "qwen", "Qwen3.6 Flash", 0.19, 1.16, 1000000, 65536, "VRTS", "text+image", sub=True, cache_read=0.00002, cache_write=0.00024),
    model("claude-opus-4-1-thinking:32000", "anthropic", "Claude Opus 4.1 Thinking (32K budget)", 15, 75, 200000, 32000, "VRTPSD", "text+image+pdf", sub=False, cache_read=0.0015),
    model("TEE/glm-5.2:thinking", "zhipu", "GLM 5.2 Thinking (TEE)", 1.4, 4.6, 200000, 131072, "vRTS", sub=False, cache_read=0.0005, description="GLM 5.2 running inside a trusted execution environment."),
    model("gemma-4-12b-it", "google", "Gemma 4 12B", 0.060000000000000005, 0.3, 131072, 8192, "Vrts", "text+image", sub=True, cache_read=0.00003),
    # ---- SEED ids from the official endpoint page (fields illustrative) ----
    model("openai/gpt-5.2-codex", "openai", "GPT-5.2 Codex", 1.75, 14.0, 400000, 128000, "vRTPS", sub=False, efforts=EFF),
    model("anthropic/claude-sonnet-4.6:thinking", "anthropic", "Claude Sonnet 4.6 Thinking", 2.992, 14.993999999999998, 1000000, 128000, "VRTPSD", "text+image+pdf", sub=False),
    model("google/gemini-3-flash-preview-thinking", "google", "Gemini 3 Flash Preview Thinking", 0.5, 3.5, 1048756, 65536, "VRTS", "text+image", sub=False, policy="closed"),
    model("x-ai/grok-latest", "x-ai", "Grok (latest)", 1.25, 2.5, 1000000, 1000000, "VRTS", "text+image", sub=False, description="Alias that follows xAI's newest Grok."),
    model("x-ai/grok-4.20-multi-agent", "x-ai", "Grok 4.20 Multi-Agent", 2, 6, 2000000, 131072, "VRT", "text+image", sub=False),
    model("z-ai/glm-4.6:thinking", "zhipu", "GLM 4.6 Thinking", 0.4, 1.5, 200000, 65535, "vRTS", sub=True),
    model("nousresearch/hermes-4-405b", "nousresearch", "Hermes 4 405B", 1.0, 3.0, 131072, 32768, "vrTS", sub=False, extra={"open_weights": True}),
    model("nousresearch/hermes-4-405b:thinking", "nousresearch", "Hermes 4 405B Thinking", 1.0, 3.0, 131072, 32768, "vRTS", sub=False, extra={"open_weights": True}),
    model("nousresearch/hermes-4-70b", "nousresearch", "Hermes 4 70B", 0.13, 0.4, 131072, 32768, "vrTS", sub=True, extra={"open_weights": True}),
    # ---- ILLUSTRATIVE: case pairs, variants, TEE ids, quirks ----
    model("NousResearch/hermes-4-70b", "NousResearch", "Hermes 4 70B (legacy id)", 0.13, 0.4, 131072, 32768, "vrT", sub=True),
    model("TheDrummer/cydonia-24b-v4.1", "TheDrummer", "Cydonia 24B v4.1", 0.3, 0.5, 32768, 32768, None, sub=True, policy="unknown"),
    model("thedrummer/cydonia-24b-v4.1", "thedrummer", "Cydonia 24B v4.1", 0.3, 0.5, 32768, 32768, "vrts", sub=True, policy="unknown"),
    model("TheDrummer/anubis-70b-v1.1", "TheDrummer", "Anubis 70B v1.1", 0.5, 0.8, 16384, 32768, None, sub=True, policy="unknown"),
    model("claude-opus-4-1-thinking:1024", "anthropic", "Claude Opus 4.1 Thinking (1K budget)", 15, 75, 200000, 32000, "VRTPSD", "text+image+pdf", sub=False, cache_read=0.0015),
    model("claude-opus-4-1-thinking:8192", "anthropic", "Claude Opus 4.1 Thinking (8K budget)", 15, 75, 200000, 32000, "VRTPSD", "text+image+pdf", sub=False, cache_read=0.0015),
    model("claude-opus-4-1-thinking:32768", "anthropic", "Claude Opus 4.1 Thinking (32K budget)", 15, 75, 200000, 32000, "VRTPSD", "text+image+pdf", sub=False, cache_read=0.0015),
    model("claude-opus-4-1-20250805", "anthropic", "Claude Opus 4.1", 15, 75, 200000, 32000, "VrTPSD", "text+image+pdf", sub=False, cache_read=0.0015, cache_write=0.01875),
    model("openai/gpt-5.2:low", "openai", "GPT-5.2 (low effort)", 1.75, 14.0, 400000, 128000, "VRTPSD", "text+image+pdf", sub=False),
    model("openai/gpt-5.2:medium", "openai", "GPT-5.2 (medium effort)", 1.75, 14.0, 400000, 128000, "VRTPSD", "text+image+pdf", sub=False),
    model("openai/gpt-5.4-pro:max", "openai", "GPT-5.4 Pro (max effort)", 30, 180, 922000, 128000, "VRTPSD", "text+image+pdf", sub=False, cache_read=0.003),
    model("TEE/deepseek-v3.2", "deepseek", "DeepSeek V3.2 (TEE)", 0.5, 1.0, 163000, 65536, "vrTS", sub=False, policy="deepseek"),
    model("TEE/qwen3-235b-a22b-instruct-2507", "qwen", "Qwen3 235B A22B Instruct (TEE)", 0.35, 1.2, 262144, 32768, "vrTS", sub=False),
    model("TEE/gpt-oss-120b", "openai", "GPT-OSS 120B (TEE)", 0.2, 0.8, 131072, 32768, "vRTS", sub=False, policy="allowed"),
    model("aion-labs/aion-3.0", "aion-labs", "AionLabs: Aion 3.0", 2.0, 6.0, 131072, 32768, "vRTs", sub=False, policy="unknown"),
    model("auto-model-premium", "other", "Auto Model (premium)", 0.0, 0.0, 1000000, 1000000, "VRTS", "text+image", sub=False, policy=None, estimate={"cheap": False}),
    model("mistralai/mistral-medium-3.1", "mistralai", "Mistral Medium 3.1", "0.4", "2.0", 131072, 32768, "VrTPS", "text+image", sub=False, policy="restricted"),
    model("openai/gpt-5.3-preview", "openai", "GPT-5.3 Preview", None, None, None, None, "V", "text+image", sub=False, description="Preview listing: pricing and limits not yet published."),
    model("liquid/lfm-3-8b", "liquid", "LFM 3 8B", 0.05, 0.1, None, 8192, "vrt", sub=True, policy="unknown"),
    model("perplexity/sonar-pro", "perplexity", "Sonar Pro", 3, 15, 200000, 8000, "vrtS", sub=False, extra={"providers": ["perplexity"]}, pricing_extra={"requestPer1k": 5.0}),
    model("perplexity/sonar", "perplexity", "Sonar", 1, 1, 127072, None, "vrts", sub=False, extra={"providers": ["perplexity"]}),
    model("google/gemini-2.5-pro", "google", "Gemini 2.5 Pro", 1.25, 10, 1048576, 65536, "VRTPSDIA", "text+image+video+audio", sub=False, cache_read=0.00031, policy="closed"),
    model("google/gemini-2.5-flash", "gemini", "Gemini 2.5 Flash", 0.3, 2.5, 1048576, 65536, "VRTPSDIA", "text+image+video+audio", sub=False, cache_read=0.000075, policy="closed"),
    model("google/gemini-2.5-flash-lite", "gemini", "Gemini 2.5 Flash Lite", 0.1, 0.4, 1048576, 65536, "VRTSIA", "text+image+video+audio", sub=True, policy="closed"),
    model("openai/gpt-4o-audio", "openai", "GPT-4o Audio", 2.5, 10, 128000, 16384, "vrTA", "text+audio", sub=False),
    model("qwen/qwen3-omni-30b-a3b", "qwen", "Qwen3 Omni 30B A3B", 0.25, 0.97, 65536, 16384, "VrTIA", "text+image+video+audio", sub=True, extra={"capabilities_note": "audio output not exposed"}),
    model("x-ai/grok-code-fast-1", "x-ai", "Grok Code Fast 1", 0.2, 1.5, 256000, 10000, "vRTS", sub=False, extra={"capabilities": {"reasoning": True, "tool_calling": True, "structured_output": True, "web_search": False}}),
]
# fmt: on

# fmt: off
ILLUSTRATIVE_FAMILIES = [
    # (namespace, owned_by, [(slug, name, prompt, completion, ctx, out, flags, inputs, sub)], policy)
    ('openai', 'openai', [
        ('gpt-5-mini', 'GPT-5 Mini', 0.25, 2.0, 400000, 128000, 'VRTPSD', 'text+image+pdf', False),
        ('gpt-5-nano', 'GPT-5 Nano', 0.05, 0.4, 400000, 128000, 'VRTPSD', 'text+image+pdf', False),
        ('gpt-4.1', 'GPT-4.1', 2.0, 8.0, 1047576, 32768, 'VrTPSD', 'text+image+pdf', False),
        ('gpt-4.1-mini', 'GPT-4.1 Mini', 0.4, 1.6, 1047576, 32768, 'VrTPSD', 'text+image+pdf', False),
        ('gpt-4o-mini', 'GPT-4o Mini', 0.15, 0.6, 128000, 16384, 'VrTPS', 'text+image', False),
        ('o3', 'o3', 2.0, 8.0, 200000, 100000, 'VRTPS', 'text+image', False),
        ('o4-mini', 'o4 Mini', 1.1, 4.4, 200000, 100000, 'VRTPS', 'text+image', False),
        ('gpt-oss-120b', 'GPT-OSS 120B', 0.1, 0.5, 131072, 32768, 'vRTS', 'text', True),
        ('gpt-oss-20b', 'GPT-OSS 20B', 0.04, 0.15, 131072, 32768, 'vRTS', 'text', True),
    ], 'closed'),
    ('anthropic', 'anthropic', [
        ('claude-haiku-4.5', 'Claude Haiku 4.5', 1.0, 5.0, 200000, 64000, 'VRTPSD', 'text+image+pdf', False),
        ('claude-haiku-4.5:thinking', 'Claude Haiku 4.5 Thinking', 1.0, 5.0, 200000, 64000, 'VRTPSD', 'text+image+pdf', False),
        ('claude-3.5-haiku', 'Claude 3.5 Haiku', 0.8, 4.0, 200000, 8192, 'VrTPS', 'text+image', False),
    ], 'closed'),
    ('meta-llama', 'meta-llama', [
        ('llama-4-maverick', 'Llama 4 Maverick', 0.17, 0.6, 1048576, 16384, 'VrTS', 'text+image', True),
        ('llama-4-scout', 'Llama 4 Scout', 0.08, 0.3, 327680, 16384, 'VrTS', 'text+image', True),
        ('llama-3.3-70b-instruct', 'Llama 3.3 70B Instruct', 0.12, 0.3, 131072, 16384, 'vrTS', 'text', True),
        ('llama-3.1-8b-instruct', 'Llama 3.1 8B Instruct', 0.02, 0.05, 131072, 16384, 'vrT', 'text', True),
        ('llama-3.1-405b-instruct', 'Llama 3.1 405B Instruct', 0.8, 0.8, 32768, 16384, 'vrT', 'text', False),
    ], 'allowed'),
    ('mistralai', 'mistralai', [
        ('mistral-large-2411', 'Mistral Large 2411', 2.0, 6.0, 131072, 32768, 'vrTPS', 'text', False),
        ('mistral-small-3.2-24b-instruct', 'Mistral Small 3.2 24B', 0.06, 0.18, 131072, 32768, 'VrTS', 'text+image', True),
        ('devstral-medium', 'Devstral Medium', 0.4, 2.0, 131072, 32768, 'vrTS', 'text', False),
        ('devstral-small-2507', 'Devstral Small 2507', 0.07, 0.28, 131072, 32768, 'vrTS', 'text', True),
        ('codestral-2508', 'Codestral 2508', 0.3, 0.9, 256000, 32768, 'vrTS', 'text', False),
        ('magistral-medium-2509', 'Magistral Medium 2509', 2.0, 5.0, 40960, 40000, 'vRTS', 'text', False),
        ('ministral-8b', 'Ministral 8B', 0.1, 0.1, 131072, 32768, 'vrT', 'text', True),
    ], 'allowed'),
    ('qwen', 'qwen', [
        ('qwen3-235b-a22b-instruct-2507', 'Qwen3 235B A22B Instruct 2507', 0.13, 0.6, 262144, 32768, 'vrTS', 'text', True),
        ('qwen3-235b-a22b-thinking-2507', 'Qwen3 235B A22B Thinking 2507', 0.13, 0.6, 262144, 32768, 'vRTS', 'text', True),
        ('qwen3-32b', 'Qwen3 32B', 0.1, 0.3, 40960, 40960, 'vRTS', 'text', True),
        ('qwen3-max', 'Qwen3 Max', 1.2, 6.0, 262144, 32768, 'vrTS', 'text', False),
        ('qwen3-vl-235b-a22b-instruct', 'Qwen3 VL 235B A22B', 0.3, 1.2, 131072, 32768, 'VrTS', 'text+image+video', True),
        ('qwen3-next-80b-a3b-instruct', 'Qwen3 Next 80B A3B', 0.15, 1.2, 262144, 32768, 'vrTS', 'text', True),
        ('qwen3-next-80b-a3b-instruct:thinking', 'Qwen3 Next 80B A3B Thinking', 0.15, 1.2, 262144, 32768, 'vRTS', 'text', True),
    ], 'allowed'),
    ('deepseek', 'deepseek', [
        ('deepseek-r1-0528', 'DeepSeek R1 0528', 0.5, 2.15, 163840, 163840, 'vRTS', 'text', True),
        ('deepseek-v3.1-terminus', 'DeepSeek V3.1 Terminus', 0.27, 1.0, 163840, 65536, 'vrTS', 'text', True),
        ('deepseek-v3.1-terminus:thinking', 'DeepSeek V3.1 Terminus Thinking', 0.27, 1.0, 163840, 65536, 'vRTS', 'text', True),
        ('deepseek-v4', 'DeepSeek V4', 0.55, 1.1, 1048576, 384000, 'VRTS', 'text+image', False),
    ], 'deepseek'),
    ('moonshotai', 'moonshotai', [
        ('kimi-k2-instruct-0905', 'Kimi K2 Instruct 0905', 0.39, 1.9, 262144, 65536, 'vrTS', 'text', True),
        ('kimi-k2-thinking', 'Kimi K2 Thinking', 0.45, 2.35, 262144, 65536, 'vRTS', 'text', True),
        ('kimi-k2.6', 'Kimi K2.6', 0.6, 2.5, 262144, 65536, 'VRTS', 'text+image', False),
    ], 'allowed'),
    ('minimax', 'minimax', [
        ('minimax-m2', 'MiniMax M2', 0.255, 1.02, 204800, 131072, 'vRTS', 'text', True),
        ('minimax-m2.5', 'MiniMax M2.5', 0.3, 1.2, 204800, 131072, 'vRTS', 'text', True),
        ('minimax-m1-80k', 'MiniMax M1 80K', 0.4, 2.2, 1000000, 40000, 'vRT', 'text', False),
    ], 'allowed'),
    ('x-ai', 'x-ai', [
        ('grok-4-fast', 'Grok 4 Fast', 0.2, 0.5, 2000000, 30000, 'VRTS', 'text+image', False),
        ('grok-4-fast:thinking', 'Grok 4 Fast Thinking', 0.2, 0.5, 2000000, 30000, 'VRTS', 'text+image', False),
        ('grok-3-mini', 'Grok 3 Mini', 0.3, 0.5, 131072, 131072, 'vRTS', 'text', False),
    ], 'closed'),
    ('z-ai', 'zhipu', [
        ('glm-4.5-air', 'GLM 4.5 Air', 0.13, 0.85, 131072, 98304, 'vRTS', 'text', True),
        ('glm-4.5v', 'GLM 4.5V', 0.5, 1.8, 65536, 16384, 'VRT', 'text+image', True),
        ('glm-5', 'GLM 5', 1.0, 3.2, 200000, 131072, 'vRTS', 'text', False),
    ], 'allowed'),
    ('cohere', 'cohere', [
        ('command-a-03-2025', 'Command A', 2.5, 10.0, 256000, 8192, 'vrTS', 'text', False),
        ('command-r7b-12-2024', 'Command R7B', 0.0375, 0.15, 128000, 4000, 'vrT', 'text', False),
    ], 'restricted'),
    ('amazon', 'amazon', [
        ('nova-pro-v1', 'Nova Pro', 0.8, 3.2, 300000, 5120, 'VrTD', 'text+image+video+pdf', False),
        ('nova-lite-v1', 'Nova Lite', 0.06, 0.24, 300000, 5120, 'VrTI', 'text+image+video', True),
        ('nova-micro-v1', 'Nova Micro', 0.035, 0.14, 128000, 5120, 'vrT', 'text', True),
    ], 'closed'),
    ('microsoft', 'microsoft', [
        ('phi-4', 'Phi 4', 0.06, 0.14, 16384, 16384, 'vrt', 'text', True),
        ('phi-4-reasoning-plus', 'Phi 4 Reasoning Plus', 0.07, 0.35, 32768, 32768, 'vRt', 'text', True),
        ('mai-ds-r1', 'MAI DS R1', 0.3, 1.2, 163840, 163840, 'vRt', 'text', True),
    ], 'allowed'),
    ('google', 'google', [
        ('gemma-3-27b-it', 'Gemma 3 27B', 0.09, 0.16, 131072, 16384, 'VrtS', 'text+image', True),
        ('gemma-3-12b-it', 'Gemma 3 12B', 0.05, 0.1, 131072, 16384, 'Vrt', 'text+image', True),
        ('gemma-3n-e4b-it', 'Gemma 3n E4B', 0.02, 0.04, 32768, 8192, 'VrtA', 'text+image+audio', True),
    ], 'allowed'),
    ('nvidia', 'nvidia', [
        ('llama-3.3-nemotron-super-49b-v1.5', 'Nemotron Super 49B v1.5', 0.1, 0.4, 131072, 32768, 'vRTS', 'text', True),
        ('nemotron-nano-9b-v2', 'Nemotron Nano 9B v2', 0.04, 0.16, 131072, 32768, 'vRT', 'text', True),
    ], 'allowed'),
    ('sao10k', 'sao10k', [
        ('l3.3-euryale-70b', 'Euryale 70B v2.3', 0.65, 0.75, 131072, 16384, 'vrt', 'text', True),
        ('l3.1-70b-hanami-x1', 'Hanami 70B x1', 3.0, 3.0, 16000, 16000, 'vrt', 'text', False),
    ], 'unknown'),
    ('inflection', 'inflection', [
        ('inflection-3-pi', 'Inflection 3 Pi', 2.5, 10.0, 8000, 1024, 'vrt', 'text', False),
    ], 'unknown'),
    ('baidu', 'baidu', [
        ('ernie-4.5-300b-a47b', 'ERNIE 4.5 300B A47B', 0.28, 1.1, 123000, 12000, 'vrTS', 'text', True),
        ('ernie-4.5-vl-424b-a47b', 'ERNIE 4.5 VL 424B', 0.42, 1.25, 123000, 16000, 'VRT', 'text+image', False),
    ], 'allowed'),
    ('tencent', 'tencent', [
        ('hunyuan-a13b-instruct', 'Hunyuan A13B Instruct', 0.03, 0.03, 32768, 32768, 'vRt', 'text', True),
    ], 'unknown'),
    ('arcee-ai', 'arcee-ai', [
        ('afm-4.5b', 'AFM 4.5B', 0.1, 0.4, 65536, 65536, 'vrt', 'text', True),
        ('virtuoso-large', 'Virtuoso Large', 0.75, 1.2, 131072, 64000, 'vrTS', 'text', False),
    ], 'unknown'),
    (None, 'other', [
        ('hermes-3-llama-3.1-405b', 'Hermes 3 405B', 0.7, 0.8, 131072, 16384, 'vrT', 'text', False),
        ('llama-3.3-70b-abliterated', 'Llama 3.3 70B Abliterated', 0.3, 0.4, 131072, 16384, 'vrt', 'text', True),
        ('qwen-2.5-72b-instruct', 'Qwen 2.5 72B Instruct', 0.12, 0.39, 32768, 16384, 'vrTS', 'text', True),
        ('mythomax-l2-13b-8k', 'MythoMax 13B 8K', 0.05, 0.05, 8192, 8192, None, 'text', True),
        ('eva-qwen-2.5-72b', 'EVA Qwen 2.5 72B', 0.6, 0.6, 16384, 32768, None, 'text', True),
    ], 'unknown'),
    (None, 'gemini', [
        ('gemini-2.0-flash-001', 'Gemini 2.0 Flash', 0.1, 0.4, 1048576, 8192, 'VrTS', 'text+image', True),
        ('gemini-2.5-flash-preview-09-2025', 'Gemini 2.5 Flash Preview 09-2025', 0.3, 2.5, 1048576, 65536, 'VRTS', 'text+image', False),
        ('gemini-2.5-flash-preview-09-2025-thinking', 'Gemini 2.5 Flash Preview 09-2025 Thinking', 0.3, 3.5, 1048576, 65536, 'VRTS', 'text+image', False),
    ], 'closed'),
    (None, 'openai', [
        ('chatgpt-4o-latest', 'ChatGPT-4o (latest)', 5.0, 15.0, 128000, 16384, 'VrTS', 'text+image', False),
        ('gpt-4o-2024-11-20', 'GPT-4o 2024-11-20', 2.5, 10.0, 128000, 16384, 'VrTPS', 'text+image', False),
    ], 'closed'),
]
# fmt: on


def build() -> list[tuple[dict, bool]]:
    records = list(M)
    for namespace, owned, rows, policy in ILLUSTRATIVE_FAMILIES:
        for slug, name, prompt, completion, ctx, out, flags, inputs, sub in rows:
            mid = f"{namespace}/{slug}" if namespace else slug
            records.append(
                model(
                    mid,
                    owned,
                    name,
                    prompt,
                    completion,
                    ctx,
                    out,
                    flags,
                    inputs,
                    sub=sub,
                    policy=policy,
                    efforts=EFF if flags and "R" in flags else (),
                )
            )
    # Some models price per modality: pricing holds only currency, unit and a note (facts file).
    for record, _ in records:
        if record["id"] == "gpt-audio-preview":
            record["pricing"] = {
                "currency": "USD",
                "unit": "per_million_tokens",
                "note": "varies_by_modality",
            }
    # A few models carry a distinct created value; most repeat CREATED, as the live API does.
    for offset, (record, _) in enumerate(records[::17]):
        record["created"] = CREATED + 86400 * (offset + 1) * 37
    ids = [r["id"] for r, _ in records]
    assert len(ids) == len(set(ids)), "duplicate ids in the sample"
    return records


PROVIDERS = ("fireworks", "together", "deepinfra", "novita", "parasail", "baseten")
#: Provider routes of some sample models (illustrative; shaped like /models/{id}/providers).
ROUTED = (
    "openai/gpt-5.2", "anthropic/claude-sonnet-4.6", "google/gemini-3-flash-preview",
    "x-ai/grok-4.3", "moonshotai/kimi-k2.5", "moonshotai/kimi-k2.5:thinking", "z-ai/glm-4.6",
    "zai-org/glm-4.7", "zai-org/glm-4.7:thinking", "deepseek/deepseek-v3.2",
    "deepseek/deepseek-v3.2:thinking", "deepseek/deepseek-v4-flash", "qwen/qwen3-coder-next",
    "qwen/qwen3-coder-plus", "qwen/qwen3-coder-flash", "meta-llama/llama-4-scout",
    "mistralai/mistral-small-3.2-24b-instruct", "nousresearch/hermes-4-70b",
    "NousResearch/hermes-4-70b", "Gryphe/MythoMax-L2-13b", "TEE/glm-5.2:thinking",
    "auto-model", "openai/gpt-5.3-preview", "gpt-audio-preview",
)  # fmt: skip


def per_1k(value):
    try:
        return round(float(value) / 1000, 12)
    except (TypeError, ValueError):
        return None


def routes(records: list[tuple[dict, bool]]) -> dict[str, dict]:
    """Route responses for ROUTED, covering every quirk of the facts file."""
    by_id = {r["id"]: r for r, _ in records}
    out = {}
    for n, mid in enumerate(ROUTED):
        record = by_id[mid]
        pricing = record.get("pricing", {})
        default = {
            "inputPer1kTokens": per_1k(pricing.get("prompt")),
            "outputPer1kTokens": per_1k(pricing.get("completion")),
        }
        policy = record.get("distillationPolicy")
        closed = record.get("owned_by") in CLOSED_OWNERS
        response = {
            "canonicalId": mid,
            "displayName": record.get("name"),
            "supportsProviderSelection": not closed and mid != "auto-model",
            "defaultPrice": default,
            "providers": [],
        }
        if closed or mid == "auto-model":  # no selection: no provider rows
            out[mid] = response
            continue
        for k in range(2 + n % 3):
            provider = PROVIDERS[(n + k) % len(PROVIDERS)]
            factor = (1.05, 0.95 * 1.05, 1.25 * 1.05)[k % 3]  # 5% markup over each upstream
            route = {"provider": provider, "available": not (n % 5 == 0 and k == 1)}
            if default["inputPer1kTokens"] is not None and not (n % 7 == 3 and k == 2):
                route["pricing"] = {
                    "inputPer1kTokens": round(default["inputPer1kTokens"] * factor, 12),
                    "outputPer1kTokens": round(default["outputPer1kTokens"] * factor, 12),
                }
            if k == 0:
                route["quantization"] = "fp8" if n % 2 else "bf16"
                route["supportsPromptCaching"] = n % 3 == 0
            if k == 1 and policy and policy["status"] == "allowed":  # the route is stricter
                route["distillationPolicy"] = {
                    "status": "disallowed",
                    "label": "Provider terms restrict distillation",
                    "basis": "provider-output-use-restriction",
                    "note": f"{provider} forbids using outputs to train competing models.",
                }
            if k == 1 and policy and policy["status"] == "disallowed":  # the route is freer
                route["distillationPolicy"] = {
                    "status": "allowed",
                    "label": "Licensed for distillation on this route",
                    "basis": "provider-license",
                    "note": f"{provider} holds a training license.",
                }
            if k == 1 and (not policy or policy["status"] == "unknown"):  # the route says more
                route["distillationPolicy"] = {
                    "status": "allowed",
                    "label": "Provider terms permit distillation",
                    "basis": "provider-terms",
                    "note": f"{provider} permits output use.",
                }
            if k == 0 and n % 4 == 1:
                route["distillationPolicy"] = {"label": "Under review"}  # no status: not served
            if n == 8 and k == 0:
                route["region"] = "eu"  # an undocumented field
            response["providers"].append(route)
        out[mid] = response
    return out


#: The sample history: snapshots, and the invented changes that older snapshots undo.
#: A change holds the state *before* its ``until`` time; the newest snapshot is the sample.
HISTORY = {
    "note": "Invented changes for demonstrations; not NanoGPT's history.",
    "snapshots": [
        {"at": "2026-07-01T06:00:00Z"}, {"at": "2026-07-20T06:00:00Z"},
        {"at": "2026-08-10T06:00:00Z"}, {"at": f"{AS_OF}T00:00:00Z"},
    ],
    "before": [
        {"until": "2026-07-20T06:00:00Z", "id": "openai/gpt-5.2",
         "pricing": {"prompt": 2.0, "completion": 16.0}},
        {"until": "2026-07-20T06:00:00Z", "id": "z-ai/glm-4.6",
         "pricing": {"prompt": 0.6, "completion": 2.2}},
        {"until": "2026-08-10T06:00:00Z", "id": "deepseek/deepseek-v4-flash",
         "pricing": {"prompt": 0.2, "completion": 0.4, "cacheReadInputPer1kTokens": 0.00004}},
        {"until": "2026-08-10T06:00:00Z", "id": "qwen/qwen3-coder-next", "subscription": False},
        {"until": "2026-08-10T06:00:00Z", "id": "openai/gpt-5.4-pro", "remove": True},
        {"until": f"{AS_OF}T00:00:00Z", "id": "x-ai/grok-4.3", "pricing": {"completion": 3.0}},
    ],
}  # fmt: skip
RETIRED = ("qwen/qwen3-coder-plus-0715", "2026-08-10T06:00:00Z")  # listed before, gone after
USAGE_MODELS = (  # (id, share of requests, input scale, output scale, cached share, provider)
    ("openai/gpt-5.2", 0.16, 3000, 700, 0.2, None),
    ("anthropic/claude-sonnet-4.6", 0.12, 6000, 900, 0.5, None),
    ("deepseek/deepseek-v4-flash", 0.16, 12000, 1500, 0.6, None),
    ("qwen/qwen3-coder-next", 0.14, 20000, 1800, 0.5, None),
    ("x-ai/grok-4.3", 0.08, 4000, 600, 0.3, None),
    ("z-ai/glm-4.6", 0.08, 5000, 800, 0.0, None),
    ("moonshotai/kimi-k2.5", 0.08, 4000, 1000, 0.0, "fireworks"),
    ("alibaba/qwen3.6-flash", 0.08, 8000, 700, 0.4, None),
    (RETIRED[0], 0.05, 15000, 1500, 0.3, None),
    ("openai/gpt-5.4-pro", 0.03, 3000, 1500, 0.0, None),
    ("acme/unknown-model", 0.01, 1000, 200, 0.0, None),
    ("OpenAI/gpt-5.2", 0.01, 1000, 300, 0.0, None),
)


def usage_rows(seed: int = 20260824) -> list[dict]:
    """A synthetic request log (about 3,000 rows) over the sample history's span, and a little
    before it; realistic mixes: long coding prompts with cache reads, chats, a few cache writes."""
    import random
    from datetime import datetime, timedelta

    rng = random.Random(seed)
    start = datetime(2026, 6, 28, tzinfo=UTC)
    end = datetime(2026, 8, 31, tzinfo=UTC)
    span = (end - start).total_seconds()
    weights = [m[1] for m in USAGE_MODELS]
    rows = []
    while len(rows) < 3000:
        mid, _, scale_in, scale_out, cached_share, provider = rng.choices(USAGE_MODELS, weights)[0]
        when = start + timedelta(seconds=rng.random() * span)
        if mid == RETIRED[0] and when.isoformat() >= RETIRED[1][:19]:
            continue  # a retired model is not used after it left
        if mid == "openai/gpt-5.4-pro" and when.isoformat() < "2026-08-10T06:00:00":
            continue  # used only once it was listed
        total_in = max(1, int(rng.lognormvariate(0, 0.8) * scale_in))
        cached = int(total_in * cached_share * rng.random()) if cached_share else 0
        write = int(total_in * 0.3) if mid == "alibaba/qwen3.6-flash" and rng.random() < 0.2 else 0
        rows.append(
            {
                "timestamp": when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                "model": mid,
                "input_tokens": total_in - cached,
                "output_tokens": max(1, int(rng.lognormvariate(0, 0.6) * scale_out)),
                "cached_tokens": cached,
                "cache_write_tokens": write,
                "provider": provider if provider and rng.random() < 0.5 else "",
            }
        )
    return sorted(rows, key=lambda r: r["timestamp"])


def write_usage(path: Path) -> int:
    import csv

    rows = usage_rows()
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def write() -> None:
    records = build()
    # Canonical order: flagship vendors first, then as listed (the API's order is its own).
    canonical = [r for r, _ in records]
    subscription = [r for r, sub in records if sub]
    paid = [r for r, sub in records if not sub]
    for name, data in (("canonical", canonical), ("subscription", subscription), ("paid", paid)):
        body = {"object": "list", "data": data}
        (OUT / f"{name}.json").write_text(json.dumps(body, indent=1, ensure_ascii=False) + "\n")
    manifest = {
        "as_of": AS_OF,
        "models": {
            "canonical": len(canonical),
            "subscription": len(subscription),
            "paid": len(paid),
        },
        "note": "A sample, not live prices. See README.md.",
    }
    retired = dict(next(r for r, _ in records if r["id"] == "qwen/qwen3-coder-plus"))
    retired.update(id=RETIRED[0], name="Qwen3 Coder Plus (2026-07-15)")
    history = dict(HISTORY, before=[*HISTORY["before"], {"until": RETIRED[1], "id": RETIRED[0],
                                                          "record": retired}])  # fmt: skip
    (OUT / "history.json").write_text(json.dumps(history, indent=1) + "\n")
    manifest["usage_rows"] = write_usage(OUT / "usage.csv")
    routed = routes(records)
    (OUT / "routes.json").write_text(json.dumps(routed, indent=1, ensure_ascii=False) + "\n")
    manifest["routes"] = len(routed)
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(manifest)


if __name__ == "__main__":
    write()
