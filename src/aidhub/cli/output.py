"""Printing: Rich tables for people, JSON for programs, one-line errors."""

import contextlib
import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from aidhub.interop.jsonable import jsonable

console = Console()
errors = Console(stderr=True)

def print_json(value: Any) -> None:
    print(json.dumps(jsonable(value), ensure_ascii=False, indent=2))

def table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]],
          *, right: Sequence[str] = (), wrap: Sequence[str] = (),
          caption: str | None = None) -> None:
    """A table; columns named in ``wrap`` may wrap onto more lines, the others are cut
    with an ellipsis when the terminal is too narrow."""
    t = Table(title=title, caption=caption, header_style="bold", show_lines=False)
    for col in columns:
        if col in wrap:
            t.add_column(col, justify="left", overflow="fold", min_width=12)
        else:
            t.add_column(col, justify="right" if col in right else "left", no_wrap=True,
                         overflow="ellipsis", max_width=36 if col == "name" else None)
    for row in rows:
        t.add_row(*("" if v is None else str(v) for v in row))
    console.print(t)

def fmt_qty(value: int) -> str:
    return f"{value:,}"

def fmt_time(value: dt.datetime) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M")

def save_pdf(data: bytes, out: Path | None, number: str) -> None:
    """Write a document to ``out`` (default: NUMBER.pdf here) and say where."""
    target = out or Path(f"{number.strip().upper()}.pdf")
    target.write_bytes(data)
    ok(f"{target} written ({len(data):,} bytes)")


def ok(message: str) -> None:
    console.print(Text.assemble(("✓ ", "green"), message), soft_wrap=True)

def error(message: str) -> None:
    """The error on stderr: its first line after "error:", any further lines indented.
    (The message is shown as text, never read as Rich markup.)"""
    first, *rest = str(message).splitlines() or [""]
    errors.print(Text.assemble(("error: ", "bold red"), first), highlight=False,
                 soft_wrap=True)
    for line in rest:
        errors.print(Text(f"  {line}"), highlight=False, soft_wrap=True)


@contextlib.contextmanager
def progress() -> Iterator[Callable[[str, int, int], None]]:
    """A progress display for long work: call the yielded function with (stage, done,
    total); each stage gets its own bar. Shown on stderr, gone when the work ends."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("{task.description:<16}"), BarColumn(), MofNCompleteColumn(),
                  console=errors, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total or None)
            bar.update(tasks[stage], completed=done, total=total or None)

        yield report
