"""`python -m kbgen` is the same as the `kbgen` command."""

from kbgen.cli import run

run()
