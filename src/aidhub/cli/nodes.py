"""`aidhub node ...` on a site node, and `aidhub nodes|conflicts ...` on the central server.

A site node is set up once with `aidhub node init` (its own SQLite file, its site's data
pulled from the central server), then works offline as any installation; `aidhub node
sync` (or `aidhub serve`, every few minutes) pushes its work and pulls its site's.
"""

import json

import typer

from aidhub.cli import output
from aidhub.cli.app import context
from aidhub.cli.reference import KEY_HELP, new_key
from aidhub.domain.errors import AidhubError
from aidhub.interop.sync_client import CentralClient
from aidhub.services import sync_central, sync_node

node = typer.Typer(no_args_is_help=True,
                   help="This site node: set it up, sync it, see where it stands.")
nodes = typer.Typer(no_args_is_help=True,
                    help="On the central server: the site nodes that sync with it.")
conflicts = typer.Typer(no_args_is_help=True,
                        help="On the central server: conflicts found when nodes synced.")
KEY = typer.Option(None, "--key", help=KEY_HELP)


@node.command("init")
def init(central: str = typer.Option(..., help="The central server's URL (https://...)."),
         site: str = typer.Option(..., help="The site this node works for."),
         token: str = typer.Option(..., envvar="AIDHUB_NODE_TOKEN",
                                   help="The node's token from `aidhub nodes add`.")) -> None:
    """Make this installation (an empty SQLite database) the site node of SITE, and pull
    its site's data. If it is cut off, run it again: it resumes."""
    ctx = context()
    client = CentralClient(central, token)
    hello = client.hello()
    if hello["site"] != site.strip().upper() and hello["site"] != site.strip():
        raise AidhubError("this token belongs to the node of %(node_site)s, not %(site)s",
                          node_site=hello["site"], site=site)
    with output.progress() as report:
        info = sync_node.init_node(ctx, client, central, progress=report)
    output.ok(f"node {info['node']} of {info['site']} is set up; it pulled its site's data "
              "and syncs with `aidhub node sync` (or by itself under `aidhub serve`)")


@node.command("sync")
def sync() -> None:
    """Push what this node recorded, then pull what is new for its site."""
    ctx = context()
    client = sync_node.client_for(ctx)
    with output.progress() as report:
        result = sync_node.sync(ctx, client, progress=report)
    output.ok(f"pushed {result.pushed} change(s) in {result.batches} batch(es), pulled "
              f"{result.pulled}; {result.conflicts} new conflict(s) for the hub manager")


@node.command("status")
def status(as_json: bool = typer.Option(False, "--json")) -> None:
    """Online or not, the last sync, and how much is waiting to be sent."""
    state = sync_node.status(context())
    if as_json:
        output.print_json(state)
        return
    if not state["node"]:
        output.ok("this installation is not a site node")
        return
    last = output.fmt_time(state["last_sync"]) if state["last_sync"] else "never"
    output.table("Site node", ["central server", "last sync", "waiting", "last error"],
                 [[state["central"], last, state["waiting"], state["error"] or "—"]])


@nodes.command("add")
def add(name: str, site: str = typer.Option(..., help="The site the node works for."),
        key: str = KEY) -> None:
    """Register a site node; prints its token once (give it to `aidhub node init`)."""
    r = sync_central.add_node(context(), name, site, key=key or new_key())
    output.ok(f"node {r['name']} of {r['site']} registered")
    typer.echo(f"token (shown once): {r['token']}")


@nodes.command("list")
def list_nodes(as_json: bool = typer.Option(False, "--json")) -> None:
    """Every node: last contact, how far behind, open conflicts, screening list held."""
    rows = sync_central.node_status(context())
    if as_json:
        output.print_json(rows)
        return
    output.table("Site nodes", ["node", "site", "last contact", "behind", "conflicts",
                                "list"],
                 [[r["name"] + (" (revoked)" if r["revoked"] else ""), r["site"],
                   output.fmt_time(r["last_contact"]) if r["last_contact"] else "never",
                   r["behind"], r["open_conflicts"],
                   "current" if r["list_current"] else "OLD"] for r in rows])


@nodes.command("revoke")
def revoke(name: str, key: str = KEY) -> None:
    """Refuse a node's token from now on (a lost laptop)."""
    sync_central.revoke_node(context(), name, key=key or new_key())
    output.ok(f"node {name}'s token is revoked")


@conflicts.command("list")
def list_conflicts(all_: bool = typer.Option(False, "--all", help="Resolved ones too."),
                   as_json: bool = typer.Option(False, "--json")) -> None:
    """Conflicts found when nodes synced (open ones unless --all)."""
    rows = sync_central.list_conflicts(context(), state=None if all_ else "open")
    if as_json:
        output.print_json(rows)
        return
    output.table("Sync conflicts", ["id", "kind", "node", "site", "what", "state"],
                 [[r["id"], r["kind"], r["node"], r["site"] or "",
                   r["detail"].get("what", json.dumps(r["detail"]))[:90], r["state"]]
                  for r in rows])


@conflicts.command("resolve")
def resolve(conflict: str, reason: str = typer.Option(..., help="How it was resolved."),
            adjust: bool = typer.Option(False, help="For stock taken twice: post the "
                                                    "adjustment back to zero."),
            key: str = KEY) -> None:
    """Close a conflict with a reason (a new movement or decision comes with it)."""
    r = sync_central.resolve(context(), conflict, reason=reason, key=key or new_key(),
                             adjust=adjust)
    output.ok(f"conflict {r['id']} resolved")


def register(app: typer.Typer) -> None:
    app.add_typer(node, name="node")
    app.add_typer(nodes, name="nodes")
    app.add_typer(conflicts, name="conflicts")
