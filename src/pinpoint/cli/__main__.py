"""``python -m pinpoint.cli`` runs the command line."""

from pinpoint.cli.main import main

main()
