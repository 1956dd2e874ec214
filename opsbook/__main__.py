"""``python -m opsbook`` runs the command line."""

from .cli import main

main()
