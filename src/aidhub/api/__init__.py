"""The JSON API (FastAPI routers). Pages live in aidhub.web; both call aidhub.services."""

PREFIX = "/api/v1"  # every JSON endpoint lives under it; a new version gets /api/v2
