"""`aidhub report hub` (the weekly or monthly hub report, PDF) and `aidhub report map`
(hubs, points of entry and distribution points on a map, PNG or SVG)."""

from pathlib import Path

import typer

from aidhub.cli import output
from aidhub.cli.app import context
from aidhub.documents import hub_report as hub_document
from aidhub.documents import site_map as map_document
from aidhub.domain.errors import InvalidInput
from aidhub.domain.values import parse_date
from aidhub.services import hub_report, report_store, site_map

SINCE = typer.Option(None, "--from", help="First day (YYYY-MM-DD), UTC.")
UNTIL = typer.Option(None, "--to", help="Last day (YYYY-MM-DD), UTC, included.")


def hub(
    code: str = typer.Option(..., "--hub", help="The hub (or warehouse) code."),
    period: str = typer.Option("week", "--period", help="week or month."),
    start: str = typer.Option(..., "--from", help="First day of the period (YYYY-MM-DD)."),
    out: Path = typer.Option(None, "--output", "-o",
                             help="The PDF to write; default: "
                                  "hub-report-HUB-FROM-PERIOD-LANGUAGE.pdf here."),
    language: str = typer.Option("en", "--language", help="en or ar (right to left)."),
    charts: Path = typer.Option(None, "--charts",
                                help="Also write the charts as PNG files into this folder."),
) -> None:
    """The hub report of a week or a month, as a PDF (English or Arabic).

    Pipeline, throughput, stock by category, expiry risk, screening, requests and fill
    rates, convoys, losses and the documents still open. The PDF is also stored with its
    time and the hash of its figures.
    """
    lang = hub_document.check_language(language)
    first = parse_date(start, "from")
    last = hub_report.period_end(first, period)
    ctx = context()
    report = hub_report.build(ctx, code, first, last)
    pdf = hub_document.render_pdf(report, lang)
    target = out or Path(f"hub-report-{report.hub}-{first}-{period.strip().lower()}-"
                         f"{lang}.pdf")
    target.write_bytes(pdf)
    try:
        stored = report_store.save(
            ctx, kind="hub", params={"hub": report.hub, "period": period.strip().lower(),
                                     "from": first.isoformat(), "to": last.isoformat(),
                                     "language": lang},
            inputs_hash=report.inputs_hash, filename=target.name,
            media_type="application/pdf", content=pdf)
    except report_store.NotRecorded:
        stored = None
    output.ok(f"{target} written ({len(pdf):,} bytes): {report.hub}, {first} to {last}"
              f"{' (nothing happened in the period)' if report.empty else ''}"
              + (f"; stored as report {stored}" if stored else ""))
    if stored is None:
        from aidhub.cli.report_donor import not_recorded

        output.console.print(not_recorded(), highlight=False)
    if charts is not None:
        charts.mkdir(parents=True, exist_ok=True)
        for name, png in hub_document.chart_images(report, lang).items():
            path = charts / f"hub-{report.hub}-{first}-{name}-{lang}.png"
            path.write_bytes(png)
            output.ok(f"{path} written")


def site_map_command(
    out: Path = typer.Option(..., "--output", "-o", help="The map to write: FILE.png or "
                                                         "FILE.svg."),
    since: str = SINCE, until: str = UNTIL,
) -> None:
    """A map of hubs, points of entry and distribution points (PNG or SVG).

    Points of entry are coloured by the tonnes received through them, distribution points
    by their fill rate; sites without coordinates are listed under the map.
    """
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in map_document.FORMATS:
        raise InvalidInput("write the map to a .png or .svg file, not '%(name)s'",
                           field="output", name=out.name)
    figures = site_map.build(context(), start=parse_date(since, "from") if since else None,
                             end=parse_date(until, "to") if until else None)
    data = map_document.render(figures, fmt)
    out.write_bytes(data)
    unplaced = figures.unplaced
    output.ok(f"{out} written: {len(figures.placed)} sites placed"
              + (f", {len(unplaced)} without coordinates listed under the map"
                 if unplaced else ""))


def register(report: typer.Typer) -> None:
    report.command("hub")(hub)
    report.command("map")(site_map_command)
