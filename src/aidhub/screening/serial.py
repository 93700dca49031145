"""List entries to and from JSON (how list versions are stored), and their fingerprints."""

import datetime as dt
import hashlib
import json
from typing import Any

from aidhub.screening.model import BirthDate, EntityKind, ListEntry, ListName, NameQuality


def entry_to_json(entry: ListEntry) -> dict[str, Any]:
    return {
        "list": entry.list, "id": entry.entry_id, "kind": entry.kind.value,
        "names": [[n.full, n.quality.value, n.script] for n in entry.names],
        "birth": [[b.start.isoformat(), b.end.isoformat()] for b in entry.birth_dates],
        "nationalities": list(entry.nationalities), "documents": list(entry.documents),
        "programme": entry.programme,
        "listed_on": entry.listed_on.isoformat() if entry.listed_on else None,
        "remarks": entry.remarks,
    }


def entry_from_json(data: dict[str, Any]) -> ListEntry:
    return ListEntry(
        data["list"], data["id"], EntityKind(data["kind"]),
        tuple(ListName(full, NameQuality(q), script) for full, q, script in data["names"]),
        tuple(BirthDate(dt.date.fromisoformat(a), dt.date.fromisoformat(b))
              for a, b in data["birth"]),
        tuple(data["nationalities"]), tuple(data["documents"]), data["programme"],
        dt.date.fromisoformat(data["listed_on"]) if data["listed_on"] else None,
        data.get("remarks", ""),
    )


def dumps(entry: ListEntry) -> str:
    return json.dumps(entry_to_json(entry), ensure_ascii=False, sort_keys=True)


def fingerprint(entry: ListEntry) -> str:
    """Changes when anything screening looks at changes (names, dates, places, papers)."""
    data = entry_to_json(entry)
    data.pop("remarks", None)
    data.pop("listed_on", None)
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
