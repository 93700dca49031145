"""`aidhub serve`: the web app."""

import typer

from aidhub.cli import output
from aidhub.cli.app import context


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (0.0.0.0 for all)."),
    port: int = typer.Option(8000, help="Port to listen on."),
    demo: bool = typer.Option(False, "--demo",
                              help="Load the demo scenario first if the database is empty."),
    seed: int = typer.Option(7, help="Seed of the demo scenario (with --demo)."),
    sync_every: float = typer.Option(5, help="On a site node: minutes between syncs with "
                                             "the central server (0: only by hand)."),
    workers: int = typer.Option(1, min=1, help="Processes answering requests: up to one per "
                                               "CPU core (PostgreSQL; SQLite writes one at "
                                               "a time whatever their number)."),
) -> None:
    """Run the web app (the schema is upgraded first)."""
    import uvicorn

    from aidhub.demo.scenario import is_empty
    from aidhub.services.context import open_context
    from aidhub.store.database import display_url
    from aidhub.web.app import create_app
    from aidhub.web.asgi import settled

    ctx = context()
    if demo and is_empty(ctx):
        from aidhub.cli.demo import load_with_progress

        load_with_progress(ctx, seed=seed)
    output.ok(f"database: {display_url(ctx.engine.url.render_as_string(hide_password=False))}")
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    output.console.print(f"[bold]aidhub is running: open http://{shown}:{port}/[/bold]"
                         "  (Ctrl+C to stop)")
    if demo:
        from aidhub.demo.users import DEMO_PASSWORD, USERS

        names = ", ".join(u[0] for u in USERS)
        output.console.print(f"demo accounts: {names}; password: {DEMO_PASSWORD!r}",
                             highlight=False)
    stop = _start_syncing(ctx, sync_every)
    try:
        if workers == 1:
            web = open_context(ctx.engine.url.render_as_string(hide_password=False),
                               actor=ctx.actor, upgrade=False, web=True)
            uvicorn.run(settled(create_app(web)), host=host, port=port, log_level="warning")
        else:
            _serve_in_workers(ctx, host, port, workers)
    finally:
        if stop is not None:
            stop.set()


def _serve_in_workers(ctx, host: str, port: int, workers: int) -> None:
    """``workers`` processes, each with its own app on the same database; request metrics
    are kept in files shared by all of them (Prometheus' multiprocess mode), so that
    /metrics counts every worker's requests whichever worker answers the scrape."""
    import os
    import shutil
    import tempfile

    import uvicorn

    from aidhub.web.asgi import ACTOR_ENV
    from aidhub.web.workers import PortInUse, Workers, listen

    try:
        sockets = listen(host, port, workers)
    except PortInUse as exc:
        raise typer.BadParameter(f"cannot listen on {host}:{port}: {exc.strerror}",
                                 param_hint="--port") from exc
    metrics = tempfile.mkdtemp(prefix="aidhub-metrics-")
    os.environ.update({
        "AIDHUB_DATABASE_URL": ctx.engine.url.render_as_string(hide_password=False),
        ACTOR_ENV: ctx.actor, "PROMETHEUS_MULTIPROC_DIR": metrics})
    output.ok(f"{workers} worker processes, each on a socket of its own")
    config = uvicorn.Config("aidhub.web.asgi:app", factory=True, host=host, port=port,
                            workers=workers, log_level="warning")
    try:
        Workers(config, sockets).run()
    except KeyboardInterrupt:
        pass
    finally:
        shutil.rmtree(metrics, ignore_errors=True)


def _start_syncing(ctx, minutes: float):
    """On a site node, a background thread that syncs every ``minutes``."""
    import threading

    from aidhub.services import sync_node

    if minutes <= 0 or not sync_node.status(ctx)["node"]:
        return None
    stop = threading.Event()
    threading.Thread(target=sync_node.keep_syncing, args=(ctx, minutes * 60, stop),
                     name="aidhub-sync", daemon=True).start()
    output.ok(f"site node: syncing with the central server every {minutes:g} minute(s)")
    return stop


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
