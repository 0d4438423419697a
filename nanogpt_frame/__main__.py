"""``python -m nanogpt_frame``: the same command line as ``nanogpt-frame``."""

from nanogpt_frame.cli import main

main()
