"""``python -m core …`` is the ``vatra`` command (for an environment without the console script)."""

from core.cli import main

main()
