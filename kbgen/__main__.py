"""`python -m kbgen` is the same as the `kbgen` command."""

from kbgen.cli import main

raise SystemExit(main())
