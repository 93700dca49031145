"""`aidhub export-iati`: a hub's in-kind aid as an IATI 2.03 activity file."""

from pathlib import Path

import typer

from aidhub.cli import output
from aidhub.cli.app import context
from aidhub.domain.errors import InvalidInput
from aidhub.services import iati


def export_iati(
    hub: str = typer.Option(..., "--hub", help="The hub (or warehouse) code."),
    start: str = typer.Option(..., "--from", help="First day, YYYY-MM-DD (UTC)."),
    end: str = typer.Option(..., "--to", help="Last day, YYYY-MM-DD (UTC), included."),
    out: Path = typer.Option(..., "-o", "--output", help="The XML file to write."),
    reporting_org: str = typer.Option(
        None, "--reporting-org", envvar="AIDHUB_IATI_REPORTING_ORG",
        help="IATI identifier of the publishing organisation, e.g. XM-DAC-41140; it also "
             "prefixes the activity identifier (default: the hub operator's)."),
    organisation: str = typer.Option(None, "--organisation",
                                     help="Only goods this organisation (donor) owns."),
    org_ref: list[str] = typer.Option(None, "--org-ref",
                                      help="An organisation's IATI identifier, CODE=REF "
                                           "(e.g. ECHO=XI-IATI-EC_ECHO); repeat as needed."),
    currency: str = typer.Option(None, "--currency",
                                 help="Default currency (default: the values' own)."),
    country: str = typer.Option(None, "--country",
                                help="Country (ISO 3166 alpha-2) of sites with no P-code."),
) -> None:
    """Write the hub's IATI 2.03 activity: goods received from donors (incoming funds) and
    delivered to partners (disbursements), checked against the IATI schema and rulesets."""
    refs = {}
    for pair in org_ref or []:
        code, sep, ref = pair.partition("=")
        if not sep or not code.strip():
            raise InvalidInput("'%(pair)s' is not CODE=REF, e.g. ECHO=XI-IATI-EC_ECHO",
                               field="org-ref", pair=pair)
        refs[code] = ref
    result = iati.export_activity(context(), hub=hub, start=start, end=end,
                                  reporting_org=reporting_org, organisation=organisation,
                                  org_refs=refs, currency=currency, country=country)
    out.write_bytes(result.xml)
    output.ok(f"{out} written: activity {result.identifier}, {result.received} incoming and "
              f"{result.delivered} disbursement transaction(s) in {result.currency}, valid "
              "against the IATI 2.03 schema and rulesets")
    if result.unvalued:
        output.console.print(f"[yellow]note:[/yellow] {result.unvalued} transaction(s) have no "
                             "declared value and are reported as 0", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("export-iati")(export_iati)
