"""The edge that talks to NanoGPT: HTTP fetches, the response cache and settings.

The only sub-package that imports ``httpx``. It may import ``frame`` and ``errors``; nothing below
it imports it back.
"""
