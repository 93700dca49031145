"""The `aidhub` command line."""

from aidhub.cli.app import app, main

__all__ = ["app", "main"]
