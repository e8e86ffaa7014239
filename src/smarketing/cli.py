"""The `smarketing` command: Django's management commands under one name."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smarketing.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "smarketing"
    if len(args) == 1 or args[1] in {"-h", "--help"}:
        args[1:] = ["help"]
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
