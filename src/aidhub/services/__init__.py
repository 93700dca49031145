"""Use cases. Each opens a unit of work, calls the domain, writes the audit record, commits.

The CLI, the API and the web pages all call these functions; none of them talks to the
database directly.
"""
