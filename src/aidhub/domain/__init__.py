"""The pure domain core: no database, no web, no I/O. Everything here is plain Python."""
