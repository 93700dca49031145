"""Repositories: reading and writing domain objects inside a unit of work."""
