"""``python -m trackmw``."""

from trackmw.cli import main

raise SystemExit(main())
