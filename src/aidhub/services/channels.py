"""Channels (how consignments reach a hub) and hub settings."""

import datetime as dt
from typing import Any

from aidhub.domain.channels import Channel, Route, TransportMode
from aidhub.domain.errors import AlreadyExists, InvalidInput, NotFound
from aidhub.domain.ids import new_id
from aidhub.domain.organisations import OrganisationType
from aidhub.domain.values import parse_code, parse_decimal
from aidhub.services.context import Context
from aidhub.services.idempotency import run_command
from aidhub.services.reference import choice
from aidhub.store.uow import UnitOfWork

SETTINGS = {
    "gs1.company_prefix": "the GS1 company prefix for SSCCs on pallet labels (7-10 digits)",
    "hub.name": "the name printed at the top of documents",
    "iati.reporting_org": "the IATI organisation identifier that reports this hub's "
                          "activity (e.g. XM-DAC-41140)",
    "public.url": "the address of this aidhub (https://...): QR codes on waybills open it",
    "outbound.loss_threshold": "the share of a delivery's weight (0 to 1, e.g. 0.02) that "
                               "may arrive damaged, short or lost without a loss report",
}


def add_channel(ctx: Context, *, key: str, code: str, name: str, mode: str, route: str,
                provider_type: str) -> dict[str, Any]:
    code = parse_code(code)
    request = {"code": code, "name": name.strip() or code,
               "mode": choice(TransportMode, mode, "mode").value,
               "route": choice(Route, route, "route").value,
               "provider_type": choice(OrganisationType, provider_type, "provider_type").value}

    def work(uow: UnitOfWork, now: dt.datetime):
        if uow.inbound.channel(code) is not None:
            raise AlreadyExists("a channel with code %(code)s already exists", code=code)
        uow.inbound.add_channel(Channel(new_id(), code, request["name"],
                                        TransportMode(request["mode"]), Route(request["route"]),
                                        OrganisationType(request["provider_type"])))
        return code, {"code": code}

    return run_command(ctx, key, "channel.add", request, work)


def channel(uow: UnitOfWork, code: str) -> Channel:
    found = uow.inbound.channel(parse_code(code, "channel"))
    if found is None:
        raise NotFound("no channel with code '%(code)s'; see `aidhub channels list`",
                       code=code)
    return found


def list_channels(ctx: Context) -> list[Channel]:
    with ctx.uow() as uow:
        return uow.inbound.channels()


def set_setting(ctx: Context, name: str, value: str, *, key: str) -> dict[str, Any]:
    if name not in SETTINGS:
        raise InvalidInput("'%(name)s' is not a setting; settings are: %(settings)s",
                           field="name", name=name, settings=", ".join(sorted(SETTINGS)))
    value = value.strip()
    if name == "outbound.loss_threshold" and parse_decimal(value, "value") > 1:
        raise InvalidInput("the loss threshold is a share from 0 to 1, e.g. 0.02 for 2 %",
                           field="value")
    if name == "public.url" and not value.startswith(("https://", "http://")):
        raise InvalidInput("give the address starting with https://", field="value")
    if name == "gs1.company_prefix" and not (value.isdigit() and 7 <= len(value) <= 10):
        raise InvalidInput("a GS1 company prefix is 7 to 10 digits, as GS1 assigned it",
                           field="value")

    def work(uow: UnitOfWork, now: dt.datetime):
        uow.inbound.set_setting(name, value)
        return name, {"name": name, "value": value}

    return run_command(ctx, key, "setting.set", {"name": name, "value": value}, work)


def settings(ctx: Context) -> dict[str, str | None]:
    with ctx.uow() as uow:
        return {name: uow.inbound.setting(name) for name in SETTINGS}
