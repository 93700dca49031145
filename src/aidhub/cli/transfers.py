"""`aidhub transfers|returns`: goods moving to another hub, or coming back from a
distribution point; both are received at the other end with a GRN."""

import typer

from aidhub.cli import output
from aidhub.cli.app import context
from aidhub.cli.reference import KEY_HELP, new_key
from aidhub.domain.errors import InvalidInput
from aidhub.services import transfers as service

transfers = typer.Typer(no_args_is_help=True,
                        help="Transfers to another hub: a release order without a plan.")
returns = typer.Typer(no_args_is_help=True,
                      help="Returns of delivered goods from a distribution point.")
KEY = typer.Option(None, "--key", help=KEY_HELP)


@transfers.command("new")
def new_transfer(hub: str = typer.Option(..., help="The hub that sends."),
                 to: str = typer.Option(..., help="The hub that receives."),
                 line: list[str] = typer.Option(..., "--line",
                                                help="ITEM:QUANTITY[:LOT]; repeat."),
                 reason: str = typer.Option(..., help="Why the goods move."),
                 key: str = KEY) -> None:
    """Order a transfer: lots first-expiry-first-out, reserved; then accept, pick, load
    and dispatch it like any release order."""
    lines = []
    for spec in line:
        parts = spec.split(":")
        if len(parts) not in (2, 3) or not parts[1].strip().isdigit():
            raise InvalidInput("'%(spec)s' is not ITEM:QUANTITY[:LOT]", field="--line",
                               spec=spec)
        lines.append(service.TransferLine(parts[0], int(parts[1]),
                                          parts[2] if len(parts) == 3 else None))
    r = service.order_transfer(context(), hub, to, lines, key=key or new_key(), reason=reason)
    output.ok(f"release order {r['release_order']}: {r['lines']} line(s) to {r['to']}; "
              f"accept it, then `aidhub pick new {r['release_order']}`")


@returns.command("new")
def new_return(waybill: str,
               line: list[str] = typer.Option(..., "--line", help="LINE:QUANTITY; repeat."),
               reason: str = typer.Option(..., help="Why the goods come back."),
               hub: str = typer.Option(None, help="The hub they go to (default: the one "
                                                  "that sent them)."),
               vehicle: str = typer.Option("", help="The vehicle bringing them."),
               driver: str = typer.Option("", help="Its driver."),
               key: str = KEY) -> None:
    """Register goods coming back from the point a waybill delivered to; they are then
    received at the hub like any consignment (arrival, screening, GRN)."""
    lines = []
    for spec in line:
        try:
            number, quantity = (int(x) for x in spec.split(":"))
        except ValueError:
            raise InvalidInput("'%(spec)s' is not LINE:QUANTITY", field="--line",
                               spec=spec) from None
        lines.append(service.ReturnLine(number, quantity))
    r = service.register_return(context(), waybill, lines, key=key or new_key(),
                                reason=reason, hub=hub, vehicle=vehicle, driver=driver)
    output.ok(f"consignment {r['consignment']}: {r['lines']} line(s) coming back from "
              f"{r['from']} to {r['hub']}; record its arrival, then receive it")


def register(root: typer.Typer) -> None:
    root.add_typer(transfers, name="transfers")
    root.add_typer(returns, name="returns")
