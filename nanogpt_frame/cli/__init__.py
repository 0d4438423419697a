"""The ``nanogpt-frame`` command line: parsing (``main``), the commands, and terminal output.

The top layer: it may import anything below it; nothing imports it but ``__main__``.
"""

from nanogpt_frame.cli.main import FORMATS, HANDLERS, build_parser, cli_logic, main

__all__ = ("FORMATS", "HANDLERS", "build_parser", "cli_logic", "main")
