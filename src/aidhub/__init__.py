"""aidhub: receive, screen, store and dispatch humanitarian aid at a hub."""

__version__ = "0.1.0"
