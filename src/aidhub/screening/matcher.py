"""Screening parties against sanctions lists by name.

``Matcher(entries)`` normalises every name of every entry once
(:mod:`aidhub.screening.normalise`) and indexes them (:mod:`aidhub.screening.index`);
``screen(query)`` normalises the query's name (and its name in its own script, when
given), takes the few list names the index finds for it, scores each
(:mod:`aidhub.screening.scoring`), keeps each entry's best name, moves the score with the
birth date, nationality and document number, and returns the matches best first, each
with an explanation a reviewer can check. ``screen_many`` screens a batch on several
processes.

``ALERT_THRESHOLD`` is the score from which a match is an alert; see its comment for how
it was chosen and what it catches.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Sequence

from aidhub.domain.errors import InvalidInput
from aidhub.screening.index import NameIndex
from aidhub.screening.model import EntityKind, ListEntry, ListName, Match, Query
from aidhub.screening.normalise import NormalName, normalise_name
from aidhub.screening.scoring import Alignment, compare, explain, qualify, trim_cache

__all__ = ["ALERT_THRESHOLD", "Matcher", "ScreenResult", "score_names"]

# The score from which a match is an alert. Chosen on bench/screening.py (the UN list of
# 2020: 1,953 queries that should find their entry - aliases held out of the index,
# perturbed names, names in Arabic script against a Latin-only index - and 2,000
# plausible names that are not on it). At 0.78 it measured: recall 0.764 (perturbed 0.90,
# Arabic script 0.86, held-out aliases 0.51, many of which are another name entirely) at a
# false-positive rate of 0.6 % of the non-listed names; on nomenklatura's 826 labelled
# name pairs, precision 0.933, recall 0.725, F1 0.816. Lower it to 0.70 and recall rises
# to about 0.80 for 2 % false positives.
ALERT_THRESHOLD = 0.78

_CANDIDATES = 50
# A name whose agreement rests on one or two very common parts only (Mohammed Ali) says
# little on its own: without a birth date or document that agrees, its score is capped
# here, below the alert threshold.
COMMON_NAME_CAP = 0.7


class ScreenResult(list[Match]):
    """The matches of one screening, best first (a list), with ``warnings``: what could
    not be screened as well as the rest (a script the matcher does not know...)."""

    warnings: tuple[str, ...]

    def __init__(self, matches: Iterable[Match] = (), warnings: Sequence[str] = ()) -> None:
        super().__init__(matches)
        self.warnings = tuple(warnings)


def score_names(a: str, b: str, kind: EntityKind | None = None) -> float:
    """How alike two names are in [0, 1]: ``a`` as a query, ``b`` as a list name."""
    query = normalise_name(a, kind)
    listed = normalise_name(b, kind if kind is not None else query.kind)
    return compare(query, listed)  # type: ignore[return-value]


def _commonness(alignment: Alignment) -> float:
    """How much of the agreement rests on very common name parts (0 to 1)."""
    total = common = 0.0
    for _, rs, s, _ in alignment.pairs:
        for p in rs:
            total += s
            if p.common:
                common += s
    return common / total if total else 0.0


def _a(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _corroborated(notes: Sequence[str]) -> bool:
    return any(n.endswith("agrees") or "is on the list" in n for n in notes)


class Matcher:
    """Screens queries against the names of ``entries`` (see the module docstring)."""

    def __init__(self, entries: Iterable[ListEntry]) -> None:
        self.entries: list[ListEntry] = list(entries)
        self._index = NameIndex()
        self._names: list[tuple[int, ListName, NormalName]] = []
        self.skipped: list[tuple[str, str, str]] = []  # (entry id, name, why)
        for e, entry in enumerate(self.entries):
            for name in entry.names:
                try:
                    normal = normalise_name(name.full, entry.kind)
                except InvalidInput as error:
                    self.skipped.append((entry.entry_id, name.full, str(error)))
                    continue
                self._index.add(normal)
                self._names.append((e, name, normal))

    def __len__(self) -> int:
        return len(self._names)

    def _query_names(self, query: Query) -> tuple[list[NormalName], list[str]]:
        warnings: list[str] = []
        names = [normalise_name(query.name, query.kind)]
        warnings.extend(names[0].warnings)
        if query.original_name and query.original_name.strip() != query.name.strip():
            try:
                original = normalise_name(query.original_name, query.kind or names[0].kind)
            except InvalidInput as error:
                warnings.append(f"the name in its own script was not screened: {error}")
            else:
                names.append(original)
                warnings.extend(w for w in original.warnings if w not in warnings)
        return names, warnings

    def candidates(self, query: Query, limit: int = _CANDIDATES
                   ) -> list[tuple[ListEntry, ListName]]:
        """The list names the index proposes to score for ``query`` (what ``screen``
        compares the query with), best first: never the whole list."""
        names, _ = self._query_names(query)
        out = []
        for name_id, _ in self._index.candidates(names, limit=limit):
            e, list_name, _ = self._names[name_id]
            out.append((self.entries[e], list_name))
        return out

    def screen(self, query: Query, *, cutoff: float = 0.5, limit: int = 10) -> ScreenResult:
        """The entries whose names match ``query`` with a score of at least ``cutoff``,
        best first, at most ``limit``. Raises InvalidInput for an empty name or one made
        only of particles."""
        names, warnings = self._query_names(query)
        trim_cache()
        searched: dict[str, set[str]] = {}
        found = self._index.candidates(names, limit=max(_CANDIDATES, limit * 3),
                                       searched=searched)
        best: dict[int, tuple[float, NormalName, int]] = {}
        for name_id, _ in found:
            e, _, listed = self._names[name_id]
            for q in names:
                s = compare(q, listed, searched=searched)
                held = best.get(e)
                if held is None or s > held[0]:
                    best[e] = (s, q, name_id)  # type: ignore[assignment]
        scored: list[tuple[float, int, int, Alignment, tuple[str, ...]]] = []
        floor = cutoff - 0.15
        for e, (s, q, name_id) in best.items():
            if s < floor and s < 0.5:
                continue
            entry = self.entries[e]
            _, list_name, listed = self._names[name_id]
            alignment = compare(q, listed, detail=True, searched=searched)
            assert isinstance(alignment, Alignment)
            common = _commonness(alignment)
            qualified = qualify(alignment.score, query, entry, common=common,
                                quality=list_name.quality)
            score = qualified.score
            notes = list(qualified.notes)
            if common >= 0.99 and len(alignment.pairs) <= 2 and score > COMMON_NAME_CAP and \
                    not _corroborated(qualified.notes):
                score = COMMON_NAME_CAP
                notes.append("only very common name parts agree: not an alert without a "
                             "birth date or document that agrees")
            if query.kind is not None and entry.kind is not query.kind and \
                    EntityKind.OTHER not in (entry.kind, query.kind):
                score *= 0.9
                notes.append(f"the list entry is {_a(entry.kind.value)}, the query "
                             f"{_a(query.kind.value)}")
            if score < cutoff:
                continue
            scored.append((round(score, 4), e, name_id, alignment, tuple(notes)))
        scored.sort(key=lambda t: (-t[0], self.entries[t[1]].list, self.entries[t[1]].entry_id))
        matches: list[Match] = []
        for score, e, name_id, alignment, notes in scored[:limit]:
            text = explain(alignment)
            if notes:
                text += "; " + ", ".join(notes)
            matches.append(Match(self.entries[e], self._names[name_id][1].full, score, text))
        return ScreenResult(matches, warnings)

    def screen_many(self, queries: Sequence[Query], *, cutoff: float = 0.5, limit: int = 10,
                    workers: int | None = None) -> list[ScreenResult]:
        """``screen`` for each query, in order, on ``workers`` processes (default: the
        CPUs this process may use). A query that cannot be screened (an empty name) gives
        an empty result with its reason as a warning."""
        if workers is None:
            workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
                os.cpu_count() or 1)
        workers = max(1, min(workers, len(queries) // 200 or 1))
        if workers == 1:
            return [self._screen_safe(q, cutoff, limit) for q in queries]
        global _WORKER
        chunk = max(1, min(2000, len(queries) // (workers * 8) or 1))
        batches = [list(queries[k:k + chunk]) for k in range(0, len(queries), chunk)]
        jobs = [(b, cutoff, limit) for b in batches]
        if "fork" in multiprocessing.get_all_start_methods():
            # the workers share this process's index (copy on write)
            _WORKER = self
            try:
                with multiprocessing.get_context("fork").Pool(workers) as pool:
                    parts = pool.starmap(_screen_batch, jobs)
            finally:
                _WORKER = None
        else:  # each worker builds its own index
            with multiprocessing.get_context("spawn").Pool(
                    workers, initializer=_init_worker, initargs=(self.entries,)) as pool:
                parts = pool.starmap(_screen_batch, jobs)
        out: list[ScreenResult] = []
        for part in parts:
            for rows, warnings in part:
                out.append(ScreenResult(
                    (Match(self.entries[e], name, score, text) for e, name, score, text in rows),
                    warnings))
        return out

    def _screen_safe(self, query: Query, cutoff: float, limit: int) -> ScreenResult:
        try:
            return self.screen(query, cutoff=cutoff, limit=limit)
        except InvalidInput as error:
            return ScreenResult((), [str(error)])

    def _entry_number(self, entry: ListEntry) -> int:
        if not hasattr(self, "_numbers"):
            self._numbers = {id(e): k for k, e in enumerate(self.entries)}
        return self._numbers[id(entry)]


_WORKER: Matcher | None = None


def _init_worker(entries: list[ListEntry]) -> None:
    global _WORKER
    _WORKER = Matcher(entries)


def _screen_batch(queries: list[Query], cutoff: float, limit: int
                  ) -> list[tuple[list[tuple[int, str, float, str]], tuple[str, ...]]]:
    matcher = _WORKER
    assert matcher is not None
    out = []
    for query in queries:
        result = matcher._screen_safe(query, cutoff, limit)
        rows = [(matcher._entry_number(m.entry), m.name, m.score, m.explanation)
                for m in result]
        out.append((rows, result.warnings))
    return out
