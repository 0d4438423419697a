"""The ``nanogpt-frame`` entry point: run a command, turn every failure into one line.

Expected failures print one line to stderr and exit 1; usage errors exit 2. Nothing prints a
traceback (set ``NANOGPT_DEBUG=1`` to see one for an unexpected error).
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence

from nanogpt_frame.cli.commands import HANDLERS
from nanogpt_frame.cli.parser import FORMATS, PROG, build_parser

__all__ = ("FORMATS", "HANDLERS", "build_parser", "cli_logic", "main")

#: Library hints that read better as the command that does the same.
_CLI_WORDING = {
    "write one with write_snapshot(df, root)": "write one with `nanogpt-frame snapshot --out ROOT`",
    "pass force=True (--force)": "pass --force",
    "use load('sample') or --sample": "use --sample",
}


def _cli_words(message: str) -> str:
    for library, command in _CLI_WORDING.items():
        message = message.replace(library, command)
    return message


def _error(message: str, code: int) -> int:
    text = " ".join(_cli_words(message).split())  # one line, whatever the message held
    print(f"{PROG}: error: {text}", file=sys.stderr)
    return code


def _bad_argument(argv: Sequence[str]) -> str | None:
    for arg in argv:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            return f"argument {shown!r} is not valid UTF-8"
    return None


def cli_logic(argv: Sequence[str] | None = None) -> int:
    """Run the command line in-process and return the exit code (what tests call)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    bad = _bad_argument(argv)
    if bad is not None:
        return _error(bad, 2)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from nanogpt_frame._version import package_version

        print(f"{PROG} {package_version()}")
        return 0
    if not args.command:
        parser.print_help()
        return 2
    from nanogpt_frame.errors import NanoGPTError

    handler = HANDLERS[args.command]
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        try:
            return handler(args)
        except NanoGPTError as exc:
            return _error(str(exc), 1)
        except BrokenPipeError:
            return 0
        except Exception as exc:  # an unexpected failure is still one line, not a traceback
            from nanogpt_frame.settings import env

            if env("DEBUG"):
                raise
            return _error(f"{type(exc).__name__}: {exc}", 1)


def main() -> None:  # pragma: no cover - thin wrapper
    try:
        sys.exit(cli_logic())
    except KeyboardInterrupt:
        sys.exit(130)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    from nanogpt_frame.cli.output import say

    say("warning", _cli_words(str(message)))


if __name__ == "__main__":  # pragma: no cover
    main()
