"""``python -m scorecard.cli``."""

from scorecard.cli.app import main

main()
