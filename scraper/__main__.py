"""``python -m scraper``: the command-line interface."""

from scraper.cli import main

raise SystemExit(main())
