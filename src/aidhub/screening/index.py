"""An in-memory inverted index that finds the few list names worth scoring for a query.

Two levels: every distinct name part of the list (its *vocabulary*: 4,000 parts for the
UN list, 44,000 for a list of 70,000 names) is reachable by blocking keys, and each
vocabulary part points to the names holding it. The keys of a part are:

* ``f`` its fold (Mohammed, Muhammad, Mouhammad... meet on ``muhamad``/``mohamed``),
  and the folds of its alternatives (other Cyrillic schemes, a glued article taken off);
* ``d`` its fold and its fold with one letter deleted (folds of 4 letters or more), so
  two parts one typo apart (a letter changed, left out or added) share a key;
* ``s`` its consonant skeleton (``mhmd``), which also exists for Arabic script, so that
  ``محمد`` finds Mohammed and ``الجولاني`` finds Jawlani and Julani; ``e`` the skeleton
  with one letter deleted (for a typo in the other script);
* ``y`` the name symbols rigour knows for it (Wikidata ids: حسين and Hussein share
  one); ``c`` the distinctive name of a compound (``rahman`` of Abd al-Rahman); the
  letters as written for Arabic script.

A query part looks up its keys, scores the closest vocabulary parts found (at most
``limit``, with :func:`~aidhub.screening.scoring.part_similarity`, remembered), and
credits each name holding one with the part's similarity times its rarity (an IDF). Very
common parts (Mohammed, Ali: held by more than ``common_share`` of the names) do not pull
names in by themselves: they only add to names found by rarer parts; when a query is made
only of common parts, the names holding all of them are taken, the shortest first. The
best ``limit`` names are returned, never the whole list.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable

from rapidfuzz.distance import Levenshtein

from aidhub.screening.normalise import NormalName, Part, Role
from aidhub.screening.scoring import MIN_PAIR, part_similarity

__all__ = ["NameIndex", "part_keys"]

_MINOR = frozenset({Role.PARTICLE, Role.HONORIFIC, Role.MARKER, Role.LEGAL})
_ROLE_WEIGHT = {Role.FAMILY: 1.2, Role.GIVEN: 1.0, Role.MIDDLE: 0.8, Role.PATRONYMIC: 0.8,
                Role.KUNYA: 1.0, Role.WORD: 1.0, Role.GENERIC: 0.5, Role.NUMBER: 0.8,
                Role.INITIAL: 0.3}


def _deletions(text: str) -> set[str]:
    return {text[:k] + text[k + 1:] for k in range(len(text))}


def part_keys(part: Part) -> set[str]:
    """The blocking keys of one name part (see the module docstring)."""
    keys: set[str] = set()
    folds = (part.fold, *part.alts)
    for f in folds:
        if not f:
            continue
        keys.add("f" + f)
        if len(f) >= 4 and part.vowelled:
            # one namespace for a fold and its deletions: parts one edit apart share a key
            keys.add("d" + f)
            keys.update("d" + d for d in _deletions(f))
    if part.core:
        keys.add("c" + part.core)
    skel = part.skel
    if len(skel) >= 2:
        keys.add("s" + skel)
        if len(skel) >= 3:
            keys.add("e" + skel)
            keys.update("e" + d for d in _deletions(skel))
    if not part.vowelled:
        keys.add(part.key)
    keys.update("y" + s for s in part.symbols)
    return keys


class NameIndex:
    """Names by their parts' blocking keys. ``add`` names, then ``candidates``."""

    def __init__(self, *, common_share: float = 0.005, common_floor: int = 100) -> None:
        self._vocab: dict[str, int] = {}
        self._parts: list[Part] = []
        self._postings: list[list[int]] = []
        self._keys: dict[str, list[int]] = {}
        self._name_parts: list[frozenset[int]] = []
        self._name_sizes: list[int] = []
        self._common_share = common_share
        self._common_floor = common_floor
        self._idf: list[float] = []
        self._sets: dict[int, frozenset[int]] = {}
        self._similar: dict[tuple[str, bool, int], list[tuple[int, float]]] = {}
        self._frozen = False

    def __len__(self) -> int:
        return len(self._name_parts)

    @property
    def vocabulary(self) -> int:
        return len(self._parts)

    def add(self, name: NormalName) -> int:
        """Index a name; its id (0, 1, 2... in the order added)."""
        name_id = len(self._name_parts)
        ids = set()
        for part in name.parts:
            if part.role in _MINOR:
                continue
            vid = self._vocab.get(part.key)
            if vid is None:
                vid = len(self._parts)
                self._vocab[part.key] = vid
                self._parts.append(part)
                self._postings.append([])
                for key in part_keys(part):
                    self._keys.setdefault(key, []).append(vid)
            if vid not in ids:
                ids.add(vid)
                self._postings[vid].append(name_id)
        self._name_parts.append(frozenset(ids))
        self._name_sizes.append(len(ids))
        self._frozen = False
        self._similar.clear()
        return name_id

    def _freeze(self) -> None:
        n = max(1, len(self._name_parts))
        self._idf = [math.log(1.0 + n / (1.0 + len(p))) for p in self._postings]
        self._cap = max(self._common_floor, int(n * self._common_share))
        self._sets = {vid: frozenset(p) for vid, p in enumerate(self._postings)
                      if len(p) > self._cap}
        self._frozen = True

    def similar_parts(self, part: Part, limit: int = 40) -> list[tuple[int, float]]:
        """Vocabulary parts alike enough to ``part`` to pair with it, with similarity
        (remembered for the parts most recently asked about)."""
        key = (part.key, part.role is Role.INITIAL, limit)
        hit = self._similar.get(key)
        if hit is None:
            hit = self._similar_parts(part, limit)
            if len(self._similar) >= 100_000:
                self._similar.clear()
            self._similar[key] = hit
        return hit

    def _similar_parts(self, part: Part, limit: int) -> list[tuple[int, float]]:
        """Vocabulary parts alike enough to ``part`` to pair with it, with similarity.

        The fold, deletion, skeleton and symbol keys are looked up first; the skeleton
        deletion keys (broad: they are for a typo in a name written in another script)
        only when those found fewer than three close parts. A vocabulary part whose
        skeleton is too far from the part's is not scored at all."""
        seen: set[int] = set()
        out: list[tuple[int, float]] = []
        keys = part_keys(part)
        narrow = [k for k in keys if k[0] != "e"]
        broad = [k for k in keys if k[0] == "e"]
        skel = part.skel
        fold = part.fold
        close = 0
        for stage, group in enumerate((narrow, broad)):
            if stage == 1 and close >= 3:
                break
            found: list[tuple[float, int]] = []
            for key in group:
                for vid in self._keys.get(key, ()):
                    if vid in seen:
                        continue
                    seen.add(vid)
                    other = self._parts[vid]
                    if skel and other.skel and Levenshtein.distance(
                            skel, other.skel, score_cutoff=2) > 1 + max(
                            len(skel), len(other.skel)) // 4:
                        continue
                    found.append((Levenshtein.normalized_similarity(fold, other.fold), vid))
            # score the closest first, and not more than ``limit`` of them
            if len(found) > limit:
                found = heapq.nlargest(limit, found)
            for _, vid in found:
                s, _ = part_similarity(part, self._parts[vid])
                if s >= MIN_PAIR:
                    out.append((vid, s))
                    if s >= 0.8:
                        close += 1
        out.sort(key=lambda x: -x[1])
        return out

    def candidates(self, names: Iterable[NormalName], limit: int = 50, relative: float = 0.35,
                   searched: dict[str, set[str]] | None = None) -> list[tuple[int, float]]:
        """Up to ``limit`` (name id, blocking score) most worth scoring for the query
        names, best first; names whose blocking score is under ``relative`` times the best
        one are left out (a name sharing only a part with the query when others share
        several). ``searched`` gets, for each query part looked up (in Latin script), the
        keys of the list parts found alike (see ``scoring.compare``)."""
        if not self._frozen:
            self._freeze()
        acc: dict[int, float] = {}
        deferred: list[tuple[int, list[tuple[int, float]]]] = []
        query_sizes = []
        slot = 0
        for name in names:
            parts = [p for p in name.parts if p.role not in _MINOR]
            query_sizes.append(len(parts))
            for part in parts:
                slot += 1
                similar = self.similar_parts(part)
                if searched is not None and part.role is not Role.INITIAL and part.vowelled:
                    alike = searched.setdefault(part.key, set())
                    alike.update(self._parts[vid].key for vid, _ in similar)
                role_weight = _ROLE_WEIGHT.get(part.role, 1.0)
                best: dict[int, float] = {}
                frequent: list[tuple[int, float]] = []
                for vid, s in similar:
                    w = s * self._idf[vid] * role_weight
                    if vid in self._sets:
                        frequent.append((vid, w))
                        continue
                    for nid in self._postings[vid]:
                        if w > best.get(nid, 0.0):
                            best[nid] = w
                for nid, w in best.items():
                    acc[nid] = acc.get(nid, 0.0) + w
                if frequent:
                    deferred.append((slot, frequent))
        if deferred:
            if not acc:
                self._seed_from_common(deferred, acc)
            for _, frequent in deferred:
                for nid in list(acc):
                    held = self._name_parts[nid]
                    add = 0.0
                    for vid, w in frequent:
                        if vid in held and w > add:
                            add = w
                    if add:
                        acc[nid] += add
        if not acc:
            return []
        size = max(query_sizes) if query_sizes else 1
        sizes = self._name_sizes
        top = max(acc.values())
        floor = top * relative
        ranked = heapq.nlargest(limit, ((w - 0.05 * abs(sizes[nid] - size), nid, w)
                                        for nid, w in acc.items() if w >= floor))
        return [(nid, w) for _, nid, w in ranked]

    def _seed_from_common(self, deferred: list[tuple[int, list[tuple[int, float]]]],
                          acc: dict[int, float], cap: int = 5000) -> None:
        """Names holding every common part of a query made only of common parts (or, if
        none does, the names of its rarest common part), at most ``cap``."""
        groups = []
        for _, frequent in deferred:
            union: set[int] = set()
            for vid, _ in frequent:
                union |= self._sets[vid]
            groups.append(union)
        groups.sort(key=len)
        both = set(groups[0])
        for g in groups[1:]:
            narrowed = both & g
            if not narrowed:
                break
            both = narrowed
        sizes = self._name_sizes
        chosen = sorted(both, key=lambda nid: sizes[nid])[:cap]
        for nid in chosen:
            acc[nid] = 0.0
