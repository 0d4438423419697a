"""``python -m nanogpt_frame``: the same command line as ``nanogpt-frame``."""

from .cli import main

main()
