"""How alike a query name and a list name are, in [0, 1], and why.

Parts are compared two by two (:func:`part_similarity`) with an edit distance whose
costs know how Arabic and Cyrillic names are romanised: a vowel for another (a/e, o/u,
e/i), ``y`` for ``i``, ``g`` for ``j``, ``d`` for ``z``, ``k`` for ``g``, two letters
swapped, a dropped ``h`` or glide cost a fraction of a real edit; short parts are allowed
one edit only, and a different first letter costs extra. A part in Arabic script, whose
short vowels are not written, is compared to a romanised part with vowels nearly free,
and is alike whatever the spelling when rigour knows both as the same name
(حسين/Hussein). Parts in a syllabic or logographic script (Han, Hangul) are compared as
written, for two characters can share a romanisation.

Names are then aligned part by part, in any order (:func:`compare`): the best pairs
first, then a part written as two or three (JanDaniel / Jan Daniel) against them. What is
left over is weighed by its role: a list part the query does not have (a middle name left
out) costs more than a query part the list does not have, and a part the two names fill
differently (Rami Makhlouf / Ihab Makhlouf: a given name contradicted) costs more than
either; a father's name found in the place of a given name across ``bin`` (Salman bin
Muhammad / Muhammad bin Salman) costs a quarter of the score. The score is the weighted
share of the names that agree, so it is 1.0 only for names identical after normalisation
and graded below. :func:`qualify` then moves it with what else is known: birth date,
nationality, document number; :func:`explain` says it all in words.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA, Levenshtein

from aidhub.screening.model import BirthDate, EntityKind, ListEntry, NameQuality, Query
from aidhub.screening.normalise import NormalName, Part, Role

__all__ = [
    "Alignment",
    "Qualified",
    "compare",
    "explain",
    "part_similarity",
    "qualify",
]

# ----------------------------------------------------------------------------- weights
WEIGHT = {
    Role.GIVEN: 1.0, Role.MIDDLE: 0.8, Role.PATRONYMIC: 0.8, Role.FAMILY: 1.2,
    Role.KUNYA: 1.0, Role.MARKER: 0.35, Role.HONORIFIC: 0.25, Role.PARTICLE: 0.1,
    Role.INITIAL: 0.4, Role.WORD: 1.0, Role.GENERIC: 0.5, Role.LEGAL: 0.35, Role.NUMBER: 1.2,
}
# share of its weight a list part costs when the query does not have it
MISSING = {
    Role.GIVEN: 0.6, Role.MIDDLE: 0.3, Role.PATRONYMIC: 0.2, Role.FAMILY: 0.7,
    Role.KUNYA: 0.7, Role.MARKER: 0.5, Role.HONORIFIC: 0.1, Role.PARTICLE: 0.05,
    Role.INITIAL: 0.3, Role.WORD: 0.8, Role.GENERIC: 0.35, Role.LEGAL: 0.2, Role.NUMBER: 1.0,
}
# ...and a query part the list name does not have (cheaper)
EXTRA = {
    Role.GIVEN: 0.45, Role.MIDDLE: 0.2, Role.PATRONYMIC: 0.2, Role.FAMILY: 0.5,
    Role.KUNYA: 0.5, Role.MARKER: 0.4, Role.HONORIFIC: 0.05, Role.PARTICLE: 0.02,
    Role.INITIAL: 0.2, Role.WORD: 0.6, Role.GENERIC: 0.25, Role.LEGAL: 0.15, Role.NUMBER: 1.0,
}
# ...and a list part the query fills with something else (dearest)
CONTRADICTED = {
    Role.GIVEN: 1.3, Role.MIDDLE: 1.5, Role.PATRONYMIC: 1.5, Role.FAMILY: 1.5,
    Role.KUNYA: 1.3, Role.MARKER: 0.6, Role.HONORIFIC: 0.2, Role.PARTICLE: 0.05,
    Role.INITIAL: 2.0, Role.WORD: 1.2, Role.GENERIC: 0.6, Role.LEGAL: 1.0, Role.NUMBER: 2.0,
}
COMMON_FACTOR = 0.7  # a very common given name (Mohammed, Ali) weighs less
MIN_PAIR = 0.6  # parts less alike than this are not paired
_K = 1.5  # how much less a part only somewhat alike counts (see effective)
_SLOPE = 1.4  # similarity lost per unit of edit cost, relative to the length
_CROSS_CAP = 0.93  # the most a part in Arabic script and a romanised one can be alike
_WEAK = 0.9  # a weak alias's score is multiplied by this
MINOR = frozenset({Role.PARTICLE, Role.HONORIFIC, Role.MARKER, Role.LEGAL})
_STRICT = frozenset({Role.PARTICLE, Role.MARKER, Role.LEGAL, Role.NUMBER})  # pair alike only
_NOTHING: dict[str, Collection[str]] = {}
# roles the index does not look up by similarity (see aidhub.screening.index)
_UNINDEXED = frozenset({Role.PARTICLE, Role.HONORIFIC, Role.MARKER, Role.LEGAL, Role.INITIAL})


def effective(sim: float) -> float:
    """What a part similarity counts for in a name score: near-identical parts count as
    they are; parts only somewhat alike (one real edit in a short name) count much
    less."""
    return sim if sim >= 0.9 else max(0.0, 0.9 - (0.9 - sim) * _K)

# ------------------------------------------------------------------ part similarity
_VOWELS = frozenset("aeiou")
_SUB: dict[tuple[str, str], float] = {}


def _set_sub(pairs: str, cost: float) -> None:
    for pair in pairs.split():
        a, b = pair
        _SUB[a, b] = _SUB[b, a] = cost


_set_sub("ae ou", 0.25)
_set_sub("ei iy", 0.25)
_set_sub("ao au ai eo eu oi ey", 0.5)
_set_sub("iu", 0.6)
_set_sub("kc vw uw", 0.3)
_set_sub("jy cj", 0.35)
_set_sub("jg dz sz", 0.4)
_set_sub("sc", 0.6)
_set_sub("kg dt ts bp fv", 0.5)
_set_sub("hk", 0.6)
_set_sub("nm lr", 0.8)
_SUB_CROSS = dict(_SUB)
for _a, _b in ("ai", "au", "iu"):
    _SUB_CROSS[_a, _b] = _SUB_CROSS[_b, _a] = 0.8
TRANSPOSE = 0.6
_INDEL_LATIN = {c: 0.5 for c in "aeiou"} | {"h": 0.4, "y": 0.4, "w": 0.4}
_INDEL_UNVOWELLED = {c: 0.12 for c in "aeiou"} | {"h": 0.4, "y": 0.25, "w": 0.25}


_EMPTY: dict[str, float] = {}


def _rows(sub: dict[tuple[str, str], float]) -> dict[str, dict[str, float]]:
    rows: dict[str, dict[str, float]] = {}
    for (x, y), cost in sub.items():
        rows.setdefault(x, {})[y] = cost
    return rows


_SUB_ROWS = _rows(_SUB)
_SUB_CROSS_ROWS = _rows(_SUB_CROSS)


def edit_cost(a: str, b: str, indel: dict[str, float] = _INDEL_LATIN,
              limit: float = 99.0, sub: dict[str, dict[str, float]] = _SUB_ROWS) -> float:
    """The cheapest way from ``a`` to ``b`` with romanisation-aware costs (see module
    docstring), two swapped letters costing TRANSPOSE; stops early (returning more than
    ``limit``) once it cannot be below. ``sub`` maps a letter to the letters it can be
    replaced with for less than 1."""
    if a == b:
        return 0.0
    la, lb = len(a), len(b)
    if la == 0 or lb == 0:
        return sum(indel.get(c, 1.0) for c in a + b)
    get = indel.get
    prev = [0.0] * (lb + 1)
    for j in range(1, lb + 1):
        prev[j] = prev[j - 1] + get(b[j - 1], 1.0)
    ins_costs = [get(c, 1.0) for c in b]
    before: list[float] | None = None
    transpose = TRANSPOSE
    for i in range(1, la + 1):
        ca = a[i - 1]
        row = sub.get(ca, _EMPTY)
        da = get(ca, 1.0)
        pa = a[i - 2] if i > 1 else ""
        first = prev[0] + da
        cur = [first]
        append = cur.append
        best = first
        left = first
        for j in range(1, lb + 1):
            cb = b[j - 1]
            if ca == cb:
                v = prev[j - 1]
            else:
                v = prev[j - 1] + row.get(cb, 1.0)
                if before is not None and j > 1 and cb == pa and ca == b[j - 2]:
                    t = before[j - 2] + transpose  # two letters swapped (Mairam / Mariam)
                    if t < v:
                        v = t
            d = prev[j] + da
            if d < v:
                v = d
            d = left + ins_costs[j - 1]
            if d < v:
                v = d
            append(v)
            left = v
            if v < best:
                best = v
        if best > limit:
            return best
        before = prev
        prev = cur
    return prev[lb]


# Letters any two of which are alike for less than a full edit are put in one class; the
# letters that can be dropped for less than a full edit (vowels, h, y, w) are dropped.
_CLASS = str.maketrans({**dict.fromkeys("aeiouhyw", None), **dict.fromkeys("kcqgjx", "K"),
                        **dict.fromkeys("dtzs", "T"), **dict.fromkeys("bpfv", "B"),
                        **dict.fromkeys("mn", "M"), **dict.fromkeys("lr", "L")})


@lru_cache(maxsize=262144)
def _classes(text: str) -> str:
    return text.translate(_CLASS)


def _budget(length: int) -> float:
    """How much edit cost a part of this length may take and still be the same name:
    one edit for short parts, a little more for long ones."""
    if length <= 4:
        return 1.0
    return 1.0 + 0.25 * (length - 4)


@lru_cache(maxsize=1_000_000)
def _string_sim(a: str, b: str, unvowelled: bool = False) -> float:
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    if unvowelled:
        length = max(len(b), len(a), 3)
        indel = _INDEL_UNVOWELLED
    else:
        length = max(len(a), len(b))
        indel = _INDEL_LATIN
    budget = _budget(length)
    # an estimate first (in C), on the consonants only, in classes of letters alike
    # (vowels and glides dropped): an edit there costs a full edit, two letters swapped
    # TRANSPOSE; too dear, and the weighted distance below is not worth computing
    ca, cb = _classes(a), _classes(b)
    if ca != cb:
        osa = OSA.distance(ca, cb)
        if osa > budget and osa - (1.0 - TRANSPOSE) * (Levenshtein.distance(ca, cb) - osa) > \
                budget:
            return 0.0
    # ...and for romanised parts: every edit costs at least a quarter
    if not unvowelled and OSA.distance(a, b, score_cutoff=int(budget * 4) + 1) * 0.25 > budget:
        return 0.0
    # letters both share at the start and at the end cost nothing: compare the middle
    la, lb = len(a), len(b)
    start = 0
    while start < la and start < lb and a[start] == b[start]:
        start += 1
    end = 0
    while end < la - start and end < lb - start and a[la - 1 - end] == b[lb - 1 - end]:
        end += 1
    cost = edit_cost(a[start:la - end], b[start:lb - end], indel, budget,
                     _SUB_CROSS_ROWS if unvowelled else _SUB_ROWS)
    first_a, first_b = a[0], b[0]
    if first_a != first_b and not (first_a in _VOWELS and first_b in _VOWELS) and _SUB.get(
            (first_a, first_b), 1.0) > 0.5:
        cost += 0.5  # names rarely change their first letter
    if cost > budget:
        return 0.0
    return max(0.0, 1.0 - _SLOPE * cost / length)


_PAIR_CACHE: dict[tuple[str, str], tuple[float, str]] = {}
_PAIR_CACHE_SIZE = 2_000_000


def trim_cache() -> None:
    """Forget the part similarities computed so far when there are too many."""
    if len(_PAIR_CACHE) > _PAIR_CACHE_SIZE:
        _PAIR_CACHE.clear()


def part_similarity(q: Part, r: Part) -> tuple[float, str]:
    """How alike two name parts are, in [0, 1], and a word saying how: "same",
    "spelling" (a romanisation variant), "same name" (rigour's name symbols agree),
    "other script", "typo", "initial"."""
    key = (q.key, r.key)
    hit = _PAIR_CACHE.get(key)
    if hit is not None:
        return hit
    result = _part_similarity(q, r)
    _PAIR_CACHE[key] = result
    return result


def _part_similarity(q: Part, r: Part) -> tuple[float, str]:
    if q.key == r.key:
        return 1.0, "same"
    if q.role is Role.INITIAL or r.role is Role.INITIAL:
        if q.fold[:1] == r.fold[:1] and (len(q.fold) == 1 or len(r.fold) == 1):
            return 0.7, "initial"
        return 0.0, ""
    if q.vowelled and r.vowelled and q.raw and r.raw and q.script == r.script:
        # the same syllabic or logographic script (Han, Hangul...): as written, for the
        # romanisation of two different characters can be the same (石 and 市: shi)
        sim = _string_sim(q.raw, r.raw)
        return min(sim, 0.95), "spelling" if sim >= 0.85 else "typo"
    if q.vowelled and r.vowelled:
        if q.fold == r.fold:
            return 0.97, "spelling"
        if q.alts or r.alts:
            qs = (q.fold, *q.alts)
            rs = (r.fold, *r.alts)
            if any(a == b for a in qs for b in rs):
                return 0.95, "spelling"
        if q.compound and q.compound == r.compound:
            sim = _string_sim(q.core, r.core)
            reason = "spelling" if sim >= 0.85 else "typo"
        else:
            sim = _string_sim(q.fold, r.fold)
            for a in q.alts:
                sim = max(sim, _string_sim(a, r.fold) - 0.02)
            for b in r.alts:
                sim = max(sim, _string_sim(q.fold, b) - 0.02)
            reason = "spelling" if sim >= 0.85 else "typo"
        return min(sim, 0.95), reason
    if not q.vowelled and not r.vowelled:  # both Arabic script
        sim = _string_sim(q.key, r.key)
        if q.symbols and q.symbols & r.symbols and sim < 0.9:
            return 0.9, "same name"
        return min(sim, 0.95), "spelling" if sim >= 0.85 else "typo"
    # Arabic script against a romanised part: short vowels were not written
    arabic, latin = (q, r) if not q.vowelled else (r, q)
    if arabic.compound and arabic.compound == latin.compound:
        sim = _string_sim(arabic.core, latin.core, unvowelled=True)
    else:
        sim = _string_sim(arabic.fold, latin.fold, unvowelled=True)
        for b in latin.alts:
            sim = max(sim, _string_sim(arabic.fold, b, unvowelled=True) - 0.02)
    sim = min(sim, _CROSS_CAP)
    if arabic.skel == latin.skel and len(arabic.skel) >= 2:
        sim = max(sim, 0.88)
    if arabic.symbols and arabic.symbols & latin.symbols:
        sim = max(sim, 0.92)
    return sim, "other script"


# --------------------------------------------------------------------------- aligning
@dataclass(frozen=True, slots=True)
class Alignment:
    """How two names were aligned: ``pairs`` (query parts, list parts, similarity, how),
    list parts the query lacks, query parts the list lacks, and contradictions (a list
    part and the query part found in its place)."""

    score: float
    pairs: tuple[tuple[tuple[Part, ...], tuple[Part, ...], float, str], ...]
    missing: tuple[Part, ...]
    extra: tuple[Part, ...]
    contradicted: tuple[tuple[Part, Part], ...]
    reordered: bool
    nasab_swapped: bool = False


def _weight(p: Part) -> float:
    w = WEIGHT[p.role]
    return w * COMMON_FACTOR if p.common else w


def compare(query: NormalName, listed: NormalName, *, detail: bool = False,
            searched: Mapping[str, Collection[str]] | None = None) -> float | Alignment:
    """The similarity of two names in [0, 1] (an :class:`Alignment` with the evidence
    when ``detail``).

    ``searched`` maps the key of a query part the index has looked up to the keys of the
    list parts it found alike: another list part is taken as unlike it without computing
    anything (unless a typo could have kept it alike and out of the index's reach)."""
    qp = query.parts
    rp = listed.parts
    nq, nr = len(qp), len(rp)
    cache = _PAIR_CACHE
    strict = _STRICT
    if searched is None:
        searched = _NOTHING
    cand: list[tuple[float, int, int, str]] = []
    for i in range(nq):
        a = qp[i]
        a_role = a.role
        a_strict = a_role in strict
        a_key = a.key
        alike = searched.get(a_key) if a_role not in _UNINDEXED else None
        for j in range(nr):
            b = rp[j]
            if (a_strict or b.role in strict) and a_role is not b.role:
                continue
            # not found alike by the index: only a typo that kept the first letter (or
            # two short parts) can still make them alike
            if alike is not None and b.key not in alike and b.role not in _UNINDEXED and (
                    a.fold[:1] != b.fold[:1] or abs(len(a.fold) - len(b.fold)) > 3) and (
                    len(a.fold) > 3 or len(b.fold) > 3):
                continue
            hit = cache.get((a_key, b.key))
            if hit is None:
                hit = part_similarity(a, b)
            if hit[0] >= MIN_PAIR:
                cand.append((hit[0], i, j, hit[1]))
    q_used = [False] * nq
    r_used = [False] * nr
    pairs: list[tuple[tuple[Part, ...], tuple[Part, ...], float, str]] = []
    order: list[tuple[int, int]] = []
    if cand:
        if len(cand) > 1:
            # best first; among equals, keep the written order (i - j small)
            cand.sort(key=_cand_order)
        for s, i, j, why in cand:
            if q_used[i] or r_used[j]:
                continue
            q_used[i] = r_used[j] = True
            pairs.append(((qp[i],), (rp[j],), s, why))
            order.append((i, j))
    # a part glued from two (JanDaniel / Jan Daniel, Yongchol / Yong-chol)
    if len(pairs) < nq and len(pairs) < nr and (nq > 1 or nr > 1):
        _glued(qp, rp, q_used, r_used, pairs, order)
    if not pairs:
        if detail:
            return Alignment(0.0, (), tuple(rp), tuple(qp), (), False, False)
        return 0.0
    num = 0.0
    den = 0.0
    initial = Role.INITIAL
    for qs, rs, s, _ in pairs:
        q0, r0 = qs[0], rs[0]
        if q0.role is initial or r0.role is initial:
            w = WEIGHT[initial]
        elif len(qs) == 1 and len(rs) == 1:
            w = (_weight(q0) + _weight(r0)) / 2
            if q0.article != r0.article:
                den += 0.01
        else:
            w = (sum(_weight(p) for p in qs) / len(qs) + sum(_weight(p) for p in rs)) / 2
        num += w * (s if s >= 0.9 else effective(s))
        den += w
    lq = [qp[i] for i in range(nq) if not q_used[i]]
    lr = [rp[j] for j in range(nr) if not r_used[j]]
    contradicted: list[tuple[Part, Part]] = []
    if lq and lr:
        sq = [p for p in lq if p.role not in MINOR]
        sr = [p for p in lr if p.role not in MINOR]
        legal_q = [p for p in lq if p.role is Role.LEGAL]
        legal_r = [p for p in lr if p.role is Role.LEGAL]
        if legal_q and legal_r:
            contradicted.append((legal_q[0], legal_r[0]))
        if sq and sr:
            sr.sort(key=_heaviest_first)
            for r in sr:
                if not sq:
                    break
                q = next((p for p in sq if p.role is r.role), sq[0])
                sq.remove(q)
                contradicted.append((q, r))
        if contradicted:
            gone_q = {id(q) for q, _ in contradicted}
            gone_r = {id(r) for _, r in contradicted}
            lq = [p for p in lq if id(p) not in gone_q]
            lr = [p for p in lr if id(p) not in gone_r]
    for q, r in contradicted:
        # a common name contradicted is as much a contradiction as a rare one
        den += max(CONTRADICTED[r.role] * WEIGHT[r.role], CONTRADICTED[q.role] * WEIGHT[q.role])
    for r in lr:
        den += MISSING[r.role] * _weight(r)
    for q in lq:
        den += EXTRA[q.role] * _weight(q)
    score = num / den if den > 0 else 0.0
    nasab_swapped = False
    person = query.kind is EntityKind.PERSON
    if person and len(pairs) > 1:
        for qs, rs, _, _ in pairs:
            if {qs[0].role, rs[0].role} == _NASAB_SWAP and _has_nasab(qp) and _has_nasab(rp):
                nasab_swapped = True
                break
        if nasab_swapped:
            score *= 0.75
    reordered = False
    if len(order) > 1:
        order.sort()
        last = -1
        for _, j in order:
            if j < last:
                reordered = True
                score *= 0.98 if person else 0.95
                break
            last = j
    if score > 1.0:
        score = 1.0
    if not detail:
        return score
    return Alignment(score, tuple(pairs), tuple(lr), tuple(lq), tuple(contradicted),
                     reordered, nasab_swapped)


def _cand_order(c: tuple[float, int, int, str]) -> tuple[float, int, int]:
    return (-c[0], abs(c[1] - c[2]), c[1])


def _heaviest_first(p: Part) -> float:
    return -WEIGHT[p.role]


_NASAB_SWAP = frozenset({Role.GIVEN, Role.PATRONYMIC})


def _has_nasab(parts: Sequence[Part]) -> bool:
    return any(p.role is Role.PARTICLE and p.text in ("bin", "bint", "ould") for p in parts)


def _glued(qp: Sequence[Part], rp: Sequence[Part], q_used: list[bool], r_used: list[bool],
           pairs: list, order: list) -> None:
    """Pair a part left over on one side with two or three adjacent parts left over on the
    other that, written together, are alike (JanDaniel / Jan Daniel, Chongchongang /
    Chong Chon Gang)."""
    for one, two, one_used, two_used, query_side in ((qp, rp, q_used, r_used, True),
                                                     (rp, qp, r_used, q_used, False)):
        for i, p in enumerate(one):
            if one_used[i] or len(p.fold) < 5:
                continue
            done = False
            for width in (2, 3):
                for j in range(len(two) - width + 1):
                    group = two[j:j + width]
                    if any(two_used[j:j + width]) or any(g.role in _STRICT for g in group):
                        continue
                    joined = "".join(g.fold for g in group)
                    a = group[0]
                    if abs(len(joined) - len(p.fold)) > 3 or (
                            p.skel[:1] != a.skel[:1] and p.fold[:1] != joined[:1]):
                        continue
                    vowelled = {g.vowelled for g in group}
                    if len(vowelled) > 1:
                        continue
                    if p.vowelled and a.vowelled:
                        s = _string_sim(p.fold, joined)
                    elif p.vowelled != a.vowelled:
                        s = min(_CROSS_CAP, _string_sim(joined if p.vowelled else p.fold,
                                                        p.fold if p.vowelled else joined,
                                                        unvowelled=True))
                    else:
                        continue
                    if s >= 0.85:
                        one_used[i] = True
                        for k in range(j, j + width):
                            two_used[k] = True
                        s = min(s, 0.95)
                        if query_side:
                            pairs.append(((p,), tuple(group), s, "glued"))
                            order.append((i, j))
                        else:
                            pairs.append((tuple(group), (p,), s, "glued"))
                            order.append((j, i))
                        done = True
                        break
                if done:
                    break


# ------------------------------------------------------------------------ explaining
_SAY = {"same": "=", "spelling": "≈", "same name": "≈", "other script": "≈", "typo": "≈",
        "initial": "≈", "glued": "≈"}
_WHY = {"spelling": " (transliteration)", "same name": " (same name)",
        "other script": " (other script)", "typo": " (spelling)", "initial": " (initial)",
        "glued": " (written together)", "same": ""}


def _show(parts: Sequence[Part]) -> str:
    return " ".join(p.display for p in parts).upper()


def explain(alignment: Alignment) -> str:
    """The alignment in words a reviewer can check, the list's part first, heaviest
    first: "family name AL-SHARAA = AL-SHARA'A, given name AHMED ≈ AHMAD
    (transliteration), middle name HUSSEIN not in the query"."""
    bits = []
    for qs, rs, s, why in sorted(alignment.pairs, key=lambda p: -_weight(p[1][0])):
        say = "=" if s >= 0.999 else _SAY.get(why, "≈")
        tail = _WHY.get(why, "") if say != "=" else ""
        if say == "=" and qs[0].script != rs[0].script:
            tail = " (transliteration)"
        bits.append(f"{rs[0].role.value} {_show(rs)} {say} {_show(qs)}{tail}")
    for q, r in alignment.contradicted:
        bits.append(f"{r.role.value} {_show([r])} ≠ {_show([q])} (contradicts)")
    for r in alignment.missing:
        if r.role not in (Role.PARTICLE,):
            bits.append(f"{r.role.value} {_show([r])} not in the query")
    for q in alignment.extra:
        if q.role not in (Role.PARTICLE,):
            bits.append(f"{_show([q])} not in the list name")
    if alignment.nasab_swapped:
        bits.append("the order of the nasab (bin/ibn) differs: a father's name is a given "
                    "name on the other side")
    elif alignment.reordered:
        bits.append("order differs")
    return ", ".join(bits) if bits else "no part of the names agrees"


# ------------------------------------------------------------------------ qualifiers
@dataclass(frozen=True, slots=True)
class Qualified:
    """A name score moved by what else is known, and the reasons, in words."""

    score: float
    notes: tuple[str, ...]


_DOC = re.compile(r"[^0-9A-Z]")


def _doc(text: str) -> str:
    return _DOC.sub("", text.upper())


def _years_apart(date: BirthDate, day: dt.date | None, year: int | None) -> int:
    y = day.year if day is not None else year
    assert y is not None
    if y < date.start.year:
        return date.start.year - y
    if y > date.end.year:
        return y - date.end.year
    return 0


def qualify(score: float, query: Query, entry: ListEntry, *, common: float = 0.0,
            quality: NameQuality = NameQuality.PRIMARY) -> Qualified:
    """Move a name score with the birth date (agrees: a little up; contradicts: down,
    further for a common name, ``common`` in [0, 1]), nationality and document number
    (a document number on the list: up to 0.95 at least). Weak aliases count less."""
    notes: list[str] = []
    if quality is NameQuality.WEAK:
        score *= _WEAK
        notes.append("weak alias (the list says not to rely on it alone)")
    day, year = query.birth_date, query.birth_year
    if day is not None or year is not None:
        shown = day.isoformat() if day is not None else str(year)
        what = "birth date" if day is not None else "birth year"
        if not entry.birth_dates:
            notes.append(f"{what} {shown}: the list gives none")
        else:
            verdicts = [d.agrees(day, year) for d in entry.birth_dates]
            if any(verdicts):
                score = min(1.0, score + 0.03)
                notes.append(f"{what} {shown} agrees")
            elif day is not None and any(d.agrees(None, day.year) for d in entry.birth_dates):
                score -= 0.08 + 0.05 * common
                notes.append(f"birth date {shown} contradicts the list's (same year)")
            else:
                apart = min(_years_apart(d, day, year) for d in entry.birth_dates)
                score -= 0.12 + 0.02 * min(apart, 5) + 0.12 * common
                listed = ", ".join(_show_date(d) for d in entry.birth_dates[:3])
                notes.append(f"{what} {shown} contradicts the list ({listed})")
    if query.nationality and entry.nationalities:
        ours = query.nationality.strip().upper()
        theirs = {n.strip().upper() for n in entry.nationalities}
        if ours in theirs:
            score = min(1.0, score + 0.02)
            notes.append(f"nationality {ours} agrees")
        else:
            score -= 0.04
            notes.append(f"nationality {ours} differs ({', '.join(sorted(theirs))})")
    if query.id_number and entry.documents:
        ours = _doc(query.id_number)
        if ours and any(_doc(d) == ours for d in entry.documents):
            score = max(score, 0.95)
            notes.append(f"document number {query.id_number} is on the list")
    return Qualified(max(0.0, min(1.0, score)), tuple(notes))


def _show_date(d: BirthDate) -> str:
    if d.start == d.end:
        return d.start.isoformat()
    if d.start.year == d.end.year:
        return str(d.start.year)
    return f"{d.start.year}-{d.end.year}"
