"""The JSON API (FastAPI routers). Pages live in aidhub.web; both call aidhub.services."""
