"""Printing: Rich tables for people, JSON for programs, one-line errors."""

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from aidhub.interop.jsonable import jsonable

console = Console()
errors = Console(stderr=True)

def print_json(value: Any) -> None:
    print(json.dumps(jsonable(value), ensure_ascii=False, indent=2))

def table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]],
          *, right: Sequence[str] = (), caption: str | None = None) -> None:
    t = Table(title=title, caption=caption, header_style="bold", show_lines=False)
    for col in columns:
        t.add_column(col, justify="right" if col in right else "left", no_wrap=True,
                     overflow="ellipsis", max_width=36 if col == "name" else None)
    for row in rows:
        t.add_row(*("" if v is None else str(v) for v in row))
    console.print(t)

def fmt_qty(value: int) -> str:
    return f"{value:,}"

def fmt_time(value: dt.datetime) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M")

def ok(message: str) -> None:
    console.print(f"[green]✓[/green] {message}")

def error(message: str) -> None:
    first, *rest = str(message).splitlines() or [""]
    errors.print(f"[bold red]error:[/bold red] {first}", highlight=False, markup=True)
    for line in rest:
        errors.print(f"  {line}", highlight=False, markup=False)
