"""Server-rendered pages (Jinja2) and the JSON API, on FastAPI."""
