"""Fault localisation for tables bound by linear equations (勾稽关系).

When a report's 表三 / 表四 breaks its arithmetic relationships, saying *that* an
equation fails is not enough: a reader wants to know *which cell* is probably wrong,
what it should read, and why it may have gone wrong. This module answers that with
the Fellegi–Holt principle of error localisation (as in the R package
``errorlocate``): find the smallest-weight set of cells that, when changed, lets
every equation hold; then, as in the R package ``deductive``, compare each wrong
value with the value the equations imply, to recognise typical slips (two digits
swapped, one digit mistyped, a count entered one column off, a total not updated,
adjacent cells run together by text extraction, a blank cell).

It is self-contained (numpy + scipy only; no pandas, nothing else from this code
base), so the rule engine can pass in any cell keys it likes.

Method
------
For the cells ``i`` with values ``v_i`` (a blank counts as ``0``; see below) we solve
the mixed-integer programme (``scipy.optimize.milp``, HiGHS)::

    minimise   sum_i w_i z_i
    subject to sum_i a_ei x_i = 0                    for every equation e
               -M_i z_i <= x_i - v_i <= M_i z_i        (z_i = 0  =>  x_i = v_i)
               z_i in {0, 1};  x_i integer (``integer``), x_i >= 0 (``nonnegative``)

A solution's set ``{i : z_i = 1}`` is one minimal set; its weight is the optimum.
Alternative minimal sets are enumerated with no-good cuts
``sum_{i in S} z_i <= |S| - 1``: each further solve asks only whether another set of
weight <= the optimum exists (a feasibility problem, so HiGHS stops at the first
one), until none does or ``max_solutions`` sets are found. ``unique`` is true only
when that next solve proves that no other set of the same weight exists. For each
set the suggested values come from a second, small problem with the set fixed: the
cells outside it keep their values exactly; inside it, when the equations determine
the values they are solved for directly, otherwise a small MILP picks the admissible
values nearest to the current ones (minimum total absolute deviation).

Valid inequalities make the big-M relaxation usable (without them HiGHS needs
seconds on a 表三): a failing equation needs a changed cell (``sum_{j in e} z_j >=
1``), and a cell cannot be the only changed cell of an equation that holds, or of a
failing one that would force an inadmissible value on it
(``z_i <= sum_{j in e, j != i} z_j``). They cut off only solutions with a useless
``z_i = 1``, so the minimal sets are unchanged.

Exact shortcut: a single cell repairs a component iff it lies in every failing
equation, in no equation that holds, and all failing equations imply the same
admissible value for it; when the cheapest such cell costs less than any two cells
together, those cells *are* the minimal sets and no MILP is solved (tests check that
both paths agree). Likewise for a few wrong cells: the sets of two to four cells in which
every failing equation has a cell and no holding equation exactly one are searched
exhaustively (``_small_sets``); when no larger set can cost as little, the cheapest of them
with admissible values are the minimal sets and no MILP is solved. The MILP still decides
when more sets tie than it would list (which ones it lists is its choice), when the search
cannot rule something out, and when two fixes are ranked equal (they are listed in the
order the MILP finds them).

The cell–equation graph is split into connected components first; components whose
equations all hold need no change and are not solved at all, each of the others is
solved on its own (表三 and 表四 are separate components), and the minimal sets of the
whole are the combinations of the components' minimal sets.

Cost: the shortcuts answer without a solver; through the MILP it takes one solve for the
optimum, one to prove there is no other set of that weight and one more per alternative,
now only for ties and sets of five or more cells (``benchmarks/bench_localize.py`` measures both).

``M_i`` (big-M): with ``bound = 1e7`` a plain big-M would let the solver's
integrality tolerance (1e-6) leak up to 10 units into a "unchanged" cell. We therefore
bound the values by what the data can need -- ``kappa * (2 * S + 10)``, where ``S``
is the sum of the absolute values in the component and ``kappa`` the ratio of the
largest to the smallest coefficient -- capped by ``bound``, and fall back to
``bound`` only if that is infeasible. Suggested values never depend on ``M`` (they
come from the second problem, where unchanged cells are fixed exactly); a set that
only "worked" through such a leak fails there and is dropped.

Default weights (override any cell with ``weights``)
----------------------------------------------------
* a written number (detail or total): ``1.0``. Totals are *not* made cheaper in the
  objective. A single failing sum (e.g. 表四 行政复议: 结果维持 + … + 尚未审结 = 总计)
  can be repaired by changing any one of its cells; the arithmetic cannot tell which.
  A lower total weight would make the solver declare "the total is wrong" *unique*,
  hiding a genuine ambiguity, so all written numbers cost the same and ``unique`` stays
  honest. The experience that a total is slightly more likely to be the wrong cell
  (details get corrected and the total is not recomputed) is used only to *order*
  equally good fixes: a fix that changes a total whose parts all stand is diagnosed
  ``total_not_updated`` and ranked before an equally cheap, undiagnosed change of a
  detail, and among otherwise equal fixes the one changing more totals comes first.
* a blank cell (value ``None``): ``0.6``. A blank is read as ``0`` (so a table whose
  equations hold with blanks as zeros returns ``None``), and filling it with another
  number is cheaper than changing a written one -- a blank is missing evidence, a
  written number is evidence. It is more than half of ``1.0`` on purpose: in these
  reports a blank usually *does* mean 0, so "two blanks hide numbers" must not beat
  "one written number is wrong".

Ranking of the fixes (all of the same minimal weight), best first: more changes
explained by a diagnosed cause (stronger causes -- transposition, column shift, cells
run together -- count more than a mistyped digit / total not updated, which count more
than a filled blank), then smaller total absolute change, then more totals changed,
then the order found. When more than ``max_solutions`` equally cheap sets exist, which
ones are found first is up to the solver; ``unique`` is ``False`` in that case anyway.

Causes (``Fix.cause``; ``Fix.cause_text`` is the Chinese explanation shown to users)
------------------------------------------------------------------------------------
``transposed_digits``  current and suggested have the same digits with two adjacent
                       ones swapped (31 ↔ 13).
``mistyped_digit``     same number of digits, exactly one differs (713 → 718).
``column_shift``       two changed cells that are neighbours (``neighbours``) change by
                       +d and -d: a count entered in the adjacent column.
``total_not_updated``  the changed cell is the total of an equation (coefficient -1
                       with all others +1, or the mirror image) and none of that
                       equation's parts is changed.
``cells_run_together`` the current digits are the concatenation of the suggested
                       values of the cell and of following blank cells
                       (``run_together_candidates``): "104" was 1 | 0 | 4.
``blank``              a blank cell that the equations fill.

A fix with several changes is diagnosed part by part; ``cause`` is the cause of the
first diagnosed part (changes are in the caller's cell order) and ``cause_text`` joins
the texts of all diagnosed parts with "；". ``None`` when nothing is recognised.
"""
from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass
from collections.abc import Hashable, Mapping, Sequence

import numpy as np

MILP_SECONDS = 10.0
"""Seconds one MILP may run (HiGHS ``time_limit``, wall clock). A report has at most a few
hundred cells, far within it; a solve that runs out of time gives no
fix (never a half-solved suggestion, nor a list of equal fixes cut short, which would
depend on the machine's load), so localisation stays within the per-file budget."""
_OPTIONS = {"time_limit": MILP_SECONDS}
_INFEASIBLE = 2  # scipy.optimize.milp's status: no point satisfies the constraints
# scipy (sparse matrices, HiGHS) is imported by the functions that build a MILP: a batch
# whose wrong cells the exact shortcut finds never needs it (its import costs more CPU than
# checking a hundred reports)

__all__ = [
    "Change",
    "Fix",
    "Localization",
    "localize",
    "DEFAULT_WEIGHT",
    "BLANK_WEIGHT",
    "TOTAL_WEIGHT",
]

#: weight of changing a written number that is a detail
DEFAULT_WEIGHT = 1.0
#: weight of changing a written number that is a total (same as a detail, see module doc)
TOTAL_WEIGHT = 1.0
#: weight of filling a blank cell with a non-zero number
BLANK_WEIGHT = 0.6

_TIE_TOL = 1e-6
_FAST_PATH = True  # exact single-cell shortcut; tests switch it off to compare with the MILP


@dataclass(frozen=True)
class Change:
    """One cell to change."""

    cell: Hashable  # the caller's cell key, e.g. ("t3", "results.total", "natural_person")
    current: float | None  # None when the cell is blank
    suggested: float


@dataclass(frozen=True)
class Fix:
    """One minimal set of changes, with values that make every equation hold."""

    changes: tuple[Change, ...]
    cause: str | None  # "transposed_digits" | "mistyped_digit" | "column_shift" | "total_not_updated" | "cells_run_together" | "blank" | None
    cause_text: str | None  # Chinese explanation, e.g. "疑似两位数字颠倒：31 ↔ 13"


@dataclass(frozen=True)
class Localization:
    fixes: tuple[Fix, ...]  # all minimal-weight sets found (up to max_solutions), best first
    unique: bool  # exactly one minimal set exists
    weight: float  # the minimal weight (math.inf when no fix exists within the bounds)


# --------------------------------------------------------------------------- public


def localize(
    cells: Sequence[Hashable],
    values: Sequence[float | None],
    equations: Sequence[Mapping[Hashable, float]],
    *,
    weights: Mapping[Hashable, float] | None = None,
    nonnegative: bool = True,
    integer: bool = True,
    max_solutions: int = 5,
    bound: float = 1e7,
    neighbours: Mapping[Hashable, Sequence[Hashable]] | None = None,
    run_together_candidates: Mapping[Hashable, Sequence[Hashable]] | None = None,
) -> Localization | None:
    """Find the cells most probably wrong, with the values that make ``equations`` hold.

    ``equations`` are linear equalities ``sum(coef * cell) == 0``, e.g.
    ``{a: 1, b: 1, total: -1}``. ``values[i]`` is the value of ``cells[i]``; ``None`` is
    a blank (read as 0, cheap to fill). ``weights`` overrides the default weight of any
    cell (must be > 0). ``neighbours`` maps a cell to the cells adjacent to it in the
    same row (for the column-shift diagnosis); ``run_together_candidates`` maps a cell
    to the blank cells that follow it in reading order (for "104" = 1 | 0 | 4); if the
    cell itself is in that tuple, the tuple is taken as the whole reading-order run.

    Returns ``None`` when every equation already holds; otherwise a
    :class:`Localization` (with no fixes and ``weight = inf`` if no values within
    ``bound`` satisfy the equations).
    """
    if len(cells) != len(values):
        raise ValueError("cells and values must have the same length")
    if max_solutions < 1:
        raise ValueError("max_solutions must be >= 1")
    sys_ = _system(tuple(cells), tuple(tuple(eq.items()) for eq in equations))
    index, eqs, n = sys_.index, sys_.eqs, len(cells)
    cur = [None if v is None else float(v) for v in values]
    v0 = np.array([0.0 if v is None else v for v in cur])
    blank = np.array([v is None for v in cur], dtype=bool)

    violated = sys_.violated(v0)
    if not any(violated):
        return None

    totals = sys_.totals  # cell index -> list of equation indices where it is the total
    w = np.where(blank, BLANK_WEIGHT, np.where(sys_.is_total, TOTAL_WEIGHT, DEFAULT_WEIGHT))
    if weights:
        for c, wc in weights.items():
            if c not in index:
                raise ValueError(f"weight given for unknown cell {c!r}")
            w[index[c]] = float(wc)
    if np.any(w <= 0):
        raise ValueError("weights must be positive")

    ctx = _Context(
        cells=sys_.cells, cur=cur, v0=v0, blank=blank, eqs=eqs, totals=totals,
        raw_neighbours=neighbours or {}, run_together=run_together_candidates or {}, index=index,
    )

    # Components of the cell-equation graph that contain a failing equation.
    failing = [comp for comp in sys_.components if any(violated[e] for e in comp.eqs)]
    comp_results = []
    for comp in failing:
        res = _solve_component(comp, v0, w, nonnegative, integer, bound, max_solutions)
        if res is None:
            return Localization(fixes=(), unique=False, weight=math.inf)
        comp_results.append(res)
    fixes = _combine(comp_results, ctx)
    keys = [key[:-1] for key, _ in fixes]
    if len(set(keys)) < len(keys) and any(r[3] for r in comp_results):
        # equally good fixes are listed in the order the MILP finds them: ask it
        for c, comp in enumerate(failing):
            if comp_results[c][3]:
                comp_results[c] = _solve_component(comp, v0, w, nonnegative, integer, bound, max_solutions,
                                                   ties=False)
                if comp_results[c] is None:
                    return Localization(fixes=(), unique=False, weight=math.inf)
        fixes = _combine(comp_results, ctx)
    weight = float(sum(r[0] for r in comp_results))
    unique = all(r[2] for r in comp_results)
    return Localization(fixes=tuple(f for _, f in fixes[:max_solutions]), unique=unique, weight=weight)


def _combine(comp_results: list, ctx: "_Context") -> list[tuple[tuple, Fix]]:
    """The fixes of the whole (one minimal set per component), best first, with their keys."""
    fixes: list[tuple[tuple, Fix]] = []
    for k, combo in enumerate(itertools.product(*(r[1] for r in comp_results))):
        sol: dict[int, float] = {}
        for part in combo:
            sol.update(part)
        fix, key = _make_fix(sol, ctx)
        fixes.append((key + (k,), fix))
    fixes.sort(key=lambda t: t[0])
    return fixes


# --------------------------------------------------------------------------- solving


def _holds(eq: Mapping[int, float], x: np.ndarray) -> bool:
    terms = [a * x[i] for i, a in eq.items()]
    return abs(math.fsum(terms)) <= 1e-9 * (1.0 + sum(abs(t) for t in terms))


def _total_roles(eqs: list[dict[int, float]]) -> dict[int, list[int]]:
    """Cells that are the total of an equation: coefficient -1 with all others +1 (or mirrored)."""
    out: dict[int, list[int]] = {}
    for e, eq in enumerate(eqs):
        coefs = list(eq.values())
        if len(coefs) < 2 or any(abs(abs(a) - 1.0) > 1e-12 for a in coefs):
            continue
        neg = [i for i, a in eq.items() if a < 0]
        pos = [i for i, a in eq.items() if a > 0]
        if len(neg) == 1 and pos:
            out.setdefault(neg[0], []).append(e)
        elif len(pos) == 1 and neg:
            out.setdefault(pos[0], []).append(e)
    return out


def _components(n: int, eqs: list[dict[int, float]]) -> list[tuple[list[int], list[int]]]:
    parent = list(range(n))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for eq in eqs:
        it = iter(eq)
        first = find(next(it))
        for i in it:
            r = find(i)
            if r != first:
                parent[r] = first
    groups: dict[int, tuple[list[int], list[int]]] = {}
    for e, eq in enumerate(eqs):
        root = find(next(iter(eq)))
        groups.setdefault(root, ([], []))[1].append(e)
    for i in range(n):
        root = find(i)
        if root in groups:
            groups[root][0].append(i)
    return list(groups.values())


class _Component:
    """One connected component of the cell-equation graph, as dense local arrays."""

    def __init__(self, cells: list[int], eq_ids: list[int], eqs: list[dict[int, float]]):
        self.cells = cells  # global cell indices, ascending
        self.eqs = eq_ids  # global equation indices
        local = {g: k for k, g in enumerate(cells)}
        rows, cols, data = [], [], []
        for r, e in enumerate(eq_ids):
            for g, a in eqs[e].items():
                rows.append(r)
                cols.append(local[g])
                data.append(a)
        Ad = np.zeros((len(eq_ids), len(cells)))
        Ad[rows, cols] = data  # one coefficient per (equation, cell)
        absc = np.abs(np.array(data))
        self.Ad = Ad
        self.kappa = float(absc.max() / absc.min())


class _System:
    """What ``localize`` derives from the cells and equations alone, built once per
    equation set (a template's catalogue gives the same one for every report)."""

    def __init__(self, cells: tuple, equations: tuple):
        index = {c: i for i, c in enumerate(cells)}
        if len(index) != len(cells):
            raise ValueError("cells must be distinct")
        eqs: list[dict[int, float]] = []
        for eq in equations:
            row: dict[int, float] = {}
            for c, a in eq:
                if c not in index:
                    raise ValueError(f"equation refers to unknown cell {c!r}")
                if a:
                    row[index[c]] = row.get(index[c], 0.0) + float(a)
            row = {i: a for i, a in row.items() if a}
            if row:
                eqs.append(row)
        self.cells, self.index, self.eqs = list(cells), index, eqs
        self.totals = _total_roles(eqs)
        self.is_total = np.zeros(len(cells), dtype=bool)
        self.is_total[list(self.totals)] = True
        self.A = np.zeros((len(eqs), len(cells)))
        for e, eq in enumerate(eqs):
            self.A[e, list(eq)] = list(eq.values())
        self.absA = np.abs(self.A)
        self.components = [_Component(cs, es, eqs) for cs, es in _components(len(cells), eqs)]

    def violated(self, v0: np.ndarray) -> list[bool]:
        """``not _holds(eq, v0)`` for every equation, vectorised; equations whose residual is
        near the tolerance (where a rounded dot product might disagree with fsum) use _holds."""
        resid = np.abs(self.A @ v0)
        tol = 1e-9 * (1.0 + self.absA @ np.abs(v0))
        out = (resid > tol).tolist()
        unsure = ~((resid <= 0.5 * tol) | (resid > 2.0 * tol))  # also NaN / inf
        for e in np.flatnonzero(unsure).tolist():
            out[e] = not _holds(self.eqs[e], v0)
        return out


@functools.lru_cache(maxsize=32)
def _system(cells: tuple, equations: tuple) -> _System:
    return _System(cells, equations)


def _solve_component(
    comp: _Component,
    v0: np.ndarray,
    w: np.ndarray,
    nonnegative: bool,
    integer: bool,
    bound: float,
    max_solutions: int,
    ties: bool = True,
) -> tuple[float, list[dict[int, float]], bool, bool] | None:
    """Minimal sets of one component: (weight, [{cell: suggested}], unique, searched) or None
    if infeasible; ``searched``: several sets found by the exact search, in its order, not
    the MILP's (``ties=False`` leaves several sets to the MILP)."""
    Ad = comp.Ad
    v = v0[comp.cells]
    wl = w[comp.cells]
    comp, kappa = comp.cells, comp.kappa

    if _FAST_PATH:
        single = _single_cell_fixes(Ad, v, wl, nonnegative, integer, bound, max_solutions)
        if single is not None:
            best, sets, unique = single
            return best, [{comp[k]: val for k, val in st.items()} for st in sets], unique, False

    s = float(np.abs(v).sum())
    tight = min(bound, kappa * (2.0 * s + 10.0))
    if _FAST_PATH:
        small = _small_sets(Ad, v, wl, nonnegative, integer, tight, max(max_solutions, 2) - 1 if ties else 1)
        if small is not None:
            best, sets = small
            return best, [{comp[k]: val for k, val in st.items()} for st in sets], len(sets) == 1, len(sets) > 1
    from scipy.sparse import csr_matrix

    A = csr_matrix(Ad)
    for ub in ((tight, bound) if tight < bound else (bound,)):
        res = _enumerate(A, v, wl, nonnegative, integer, ub, max_solutions)
        if res is not None:
            best, sets, unique = res
            out = [{comp[k]: val for k, val in st.items()} for st in sets]
            return best, out, unique, False
    return None


def _single_cell_fixes(Ad, v, wl, nonnegative, integer, bound, max_solutions):
    """Exact shortcut for the common case of one wrong cell (no MILP needed).

    Cell ``i`` alone repairs the component iff it occurs in every failing equation, in
    no equation that holds, and all failing equations imply the same admissible value
    for it. If the cheapest such cell costs less than any two cells together
    (``< 2 * min(w)``), no larger set can tie with it, so the single cells of that
    weight are exactly the minimal sets the MILP would enumerate.
    """
    resid = Ad @ v
    absv = np.abs(Ad) @ np.abs(v)
    viol = np.abs(resid) > 1e-9 * (1.0 + absv)
    nzmask = Ad != 0
    cand = np.flatnonzero(nzmask[viol].all(axis=0) & ~nzmask[~viol].any(axis=0))
    lo = 0.0 if nonnegative else -bound
    fixes = []
    for i in cand.tolist():
        t = v[i] - resid[viol] / Ad[viol, i]
        x = float(t[0])
        if np.any(np.abs(t - x) > 1e-9 * (1.0 + abs(x))):
            continue
        if integer:
            if abs(x - round(x)) > 1e-9 * (1.0 + abs(x)):
                continue
            x = float(round(x))
        if not lo - 1e-9 <= x <= bound + 1e-9:
            continue
        fixes.append((float(wl[i]), i, x + 0.0))
    if not fixes:
        return None
    best = min(f[0] for f in fixes)
    if best >= 2.0 * float(wl.min()) - _TIE_TOL:
        return None  # a set of two cheaper cells might tie: let the MILP decide
    sets = [{i: x} for wi, i, x in fixes if wi <= best + _TIE_TOL * max(1.0, best)]
    return best, sets[:max_solutions], len(sets) == 1


_SMALL_SETS = (2, 3, 4)  # set sizes the exact search tries before the MILP


def _small_sets(Ad, v, wl, nonnegative, integer, ub, most):
    """Exact shortcut for a few wrong cells: all minimal sets, if they are small and at most ``most``.

    A minimal set ``S`` changes every cell in it, so every failing equation has a cell in
    ``S`` and no holding equation has exactly one (that cell's change would be 0). The
    sets of at most ``K`` cells with that property are searched depth first, each step
    adding a cell of an equation the set leaves open, and each such set is tried with
    ``_suggest`` (the values the MILP path would suggest for it). The search is
    exhaustive for sets of at most ``K`` cells: a closed set without admissible values is
    extended by a cell of an equation it touches (a feasible superset must have one: cells
    only in other equations, all holding, would leave the set's own equations to it
    alone). It answers None, and the MILP decides, when more than ``most`` sets tie (the
    MILP would list only the first it finds) or when a set of more than ``K`` cells could
    cost as little (the ``K + 1`` cheapest weights). Sets found: (weight, [sets by cells]).
    """
    m = len(v)
    lo = 0.0 if nonnegative else -ub
    resid = Ad @ v
    viol = np.abs(resid) > 1e-9 * (1.0 + np.abs(Ad) @ np.abs(v))
    members = [np.flatnonzero(row).tolist() for row in Ad]
    eqs_of: list[list[int]] = [[] for _ in range(m)]
    for e, cs in enumerate(members):
        for i in cs:
            eqs_of[i].append(e)
    failing = np.flatnonzero(viol).tolist()
    ws = np.sort(wl)
    if float(ws[0]) <= 1e3 * _TIE_TOL:
        return None  # a nearly free cell: a superset could tie with the set it extends
    weight = wl.tolist()
    for K in _SMALL_SETS:
        if K >= m:
            return None
        found: dict[frozenset, tuple[float, dict]] = {}
        seen: set[frozenset] = set()
        best = [math.inf]

        def cap(b):
            return b + _TIE_TOL * max(1.0, b)

        def visit(S: list[int], wS: float):
            key = frozenset(S)
            if key in seen:
                return
            seen.add(key)
            count: dict[int, int] = {}
            for i in S:
                for e in eqs_of[i]:
                    count[e] = count.get(e, 0) + 1
            open_ = [e for e in failing if e not in count]
            open_ += [e for e, k in count.items() if k == 1 and not viol[e]]
            if not open_:
                sol = _suggest(Ad, v, np.array(sorted(S)), integer, lo, ub)
                if sol is not None and len(sol) == len(S):
                    found[key] = (float(wl[list(sol)].sum()), sol)
                    best[0] = min(best[0], wS)
                    return
                if sol is not None or len(S) == K:
                    return  # a feasible subset is cheaper / a superset has more than K cells
                nxt = sorted({j for e in count for j in members[e]})  # touched equations' cells
            elif len(S) == K:
                return
            else:
                nxt = members[min(open_, key=lambda e: len(members[e]))]
            for j in nxt:
                if j not in key and wS + weight[j] <= cap(best[0]):
                    visit(S + [j], wS + weight[j])

        for j in members[min(failing, key=lambda e: len(members[e]))]:
            visit([j], weight[j])
        if not found:
            continue
        b = min(f[0] for f in found.values())
        ties = [f for f in found.values() if f[0] <= cap(b)]
        margin = cap(b) + _TIE_TOL * max(1.0, b)
        rest = float(ws[:K + 1].sum())  # the cheapest set of more than K cells
        if rest <= margin:
            continue  # a set this search did not try might tie or win: search deeper
        if len(ties) > most:
            return None  # more minimal sets than are listed: which ones, the MILP decides
        return min(f[0] for f in ties), [f[1] for f in sorted(ties, key=lambda f: sorted(f[1]))]
    return None


def _enumerate(A, v, wl, nonnegative, integer, ub, max_solutions):
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import csr_matrix, diags, hstack, identity

    m = len(v)
    lo = 0.0 if nonnegative else -ub
    Ad = A.toarray()
    M = np.maximum(ub - lo, 0.0) + np.abs(v)  # |x - v| <= M always holds within the bounds
    eye = identity(m, format="csr")
    base = [
        LinearConstraint(hstack([A, csr_matrix(A.shape)], format="csr"), 0.0, 0.0),
        LinearConstraint(hstack([eye, diags(-M)], format="csr"), -np.inf, v),  # x - M z <= v
        LinearConstraint(hstack([eye, diags(M)], format="csr"), v, np.inf),  # x + M z >= v
    ]
    cover = _cover_cuts(Ad, v, lo, ub, integer)
    if cover is not None:
        base.append(cover)
    integrality = np.concatenate([np.full(m, 1 if integer else 0), np.ones(m)])
    bounds = Bounds(np.concatenate([np.full(m, lo), np.zeros(m)]), np.concatenate([np.full(m, ub), np.ones(m)]))
    wrow = np.concatenate([np.zeros(m), wl])

    # 1. the minimal weight
    r = milp(wrow, constraints=base, integrality=integrality, bounds=bounds,
             options=_OPTIONS)
    if r.status != 0 or r.x is None:
        return None
    best = float(r.fun)
    cap = best + _TIE_TOL * max(1.0, best)
    # 2. every further set of that weight: a pure feasibility question (weight <= best,
    #    not a set found before), so HiGHS stops at the first feasible point
    base.append(LinearConstraint(wrow[None, :], -np.inf, cap))
    found: list[dict[int, float]] = []
    seen: set[frozenset[int]] = set()
    cuts: list[np.ndarray] = []
    limit = max(max_solutions, 2)
    x = r.x
    for _ in range(4 * limit + 4):  # guards against pathological loops
        chosen = np.flatnonzero(x[m:] > 0.5)
        cut = np.zeros(2 * m)
        cut[m + chosen] = 1.0
        cuts.append(cut)
        sol = _suggest(Ad, v, chosen, integer, lo, ub)
        if sol is not None and frozenset(sol) not in seen:  # None: a numerical artefact of big-M
            seen.add(frozenset(sol))
            found.append(sol)
            if len(found) >= limit:
                break
        cons = base + [LinearConstraint(csr_matrix(np.array(cuts)), -np.inf, np.array([c[m:].sum() - 1 for c in cuts]))]
        r = milp(np.zeros(2 * m), constraints=cons, integrality=integrality, bounds=bounds,
             options=_OPTIONS)
        if r.status == _INFEASIBLE:
            break  # no further set of that weight: the list is complete
        if r.status != 0 or r.x is None:
            return None  # out of time (or failed) before the list was complete: no fix, never a partial list
        x = r.x
    if not found:
        return None
    best = min(float(wl[list(s)].sum()) for s in found)
    return best, found[:max_solutions], len(found) == 1


def _cover_cuts(Ad, v, lo, ub, integer):
    """Valid inequalities that give the LP relaxation the combinatorial structure.

    * a failing equation needs a changed cell: ``sum_{j in e} z_j >= 1``;
    * a cell ``i`` cannot be the only changed cell of equation ``e`` if ``e`` holds (the
      change would have to be 0) or if the value ``e`` would then force on ``i`` is out
      of bounds / not whole: ``z_i <= sum_{j in e, j != i} z_j``.
    They remove only solutions with a useless ``z_i = 1`` or none at all, so the
    minimal sets are unchanged; without them the big-M relaxation is nearly empty and
    HiGHS needs seconds instead of milliseconds on a 表三.
    """
    from scipy.optimize import LinearConstraint
    from scipy.sparse import csr_matrix

    m = len(v)
    resid = Ad @ v
    rr, cc, dd, lbs = [], [], [], []

    def add(members, minus, lb):
        k = len(lbs)
        for j in members:
            rr.append(k)
            cc.append(m + j)
            dd.append(-1.0 if j == minus else 1.0)
        lbs.append(lb)

    absv = np.abs(Ad) @ np.abs(v)
    for e in range(Ad.shape[0]):
        row = Ad[e]
        nz = np.flatnonzero(row).tolist()
        holds = abs(resid[e]) <= 1e-9 * (1.0 + absv[e])
        if not holds:
            add(nz, None, 1.0)
        if len(nz) == 1:
            continue  # the bound on x already says it
        for i in nz:
            if not holds:
                t = float(v[i] - resid[e] / row[i])
                ok = lo - 1e-9 <= t <= ub + 1e-9 and (not integer or abs(t - round(t)) <= 1e-9 * (1 + abs(t)))
                if ok:
                    continue
            add(nz, i, 0.0)
    if not lbs:
        return None
    mat = csr_matrix((dd, (rr, cc)), shape=(len(lbs), 2 * m))
    return LinearConstraint(mat, np.array(lbs), np.inf)


def _suggest(Ad, v, chosen, integer, lo, ub) -> dict[int, float] | None:
    """Values for the chosen cells (others fixed): determined by the equations, or nearest to v."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    m = len(v)
    k = len(chosen)
    if k == 0:
        return None
    fixed = np.setdiff1d(np.arange(m), chosen)
    rhs = -Ad[:, fixed] @ v[fixed]
    As = Ad[:, chosen]
    if np.linalg.matrix_rank(As) == k:  # the equations determine the values
        x, *_ = np.linalg.lstsq(As, rhs, rcond=None)
        if integer:
            x = np.round(x)
        if np.all(x >= lo - 1e-9) and np.all(x <= ub + 1e-9) and np.allclose(As @ x, rhs, rtol=0, atol=1e-7 * (1 + np.abs(rhs).max())):
            return _changed(chosen, x, v)
        return None
    # variables: x (k), d (k) with d >= |x - v|
    c = np.concatenate([np.zeros(k), np.ones(k)])
    eye = np.eye(k)
    cons = [
        LinearConstraint(np.hstack([As, np.zeros((As.shape[0], k))]), rhs, rhs),
        LinearConstraint(np.hstack([eye, -eye]), -np.inf, v[chosen]),
        LinearConstraint(np.hstack([-eye, -eye]), -np.inf, -v[chosen]),
    ]
    bounds = Bounds(np.concatenate([np.full(k, lo), np.zeros(k)]), np.concatenate([np.full(k, ub), np.full(k, np.inf)]))
    integrality = np.concatenate([np.full(k, 1 if integer else 0), np.zeros(k)])
    r = milp(c, constraints=cons, integrality=integrality, bounds=bounds,
             options=_OPTIONS)
    if r.status != 0 or r.x is None:
        return None
    x = r.x[:k]
    if integer:
        x = np.round(x)
    full = v.copy()
    full[chosen] = x
    resid = Ad @ full
    if np.any(np.abs(resid) > 1e-6 * (1.0 + np.abs(Ad) @ np.abs(full))):
        return None
    return _changed(chosen, x, v)


def _changed(chosen, x, v) -> dict[int, float] | None:
    out = {}
    for j, val in zip(chosen, x):
        if abs(val - v[j]) > 1e-9 * (1.0 + abs(v[j])):
            out[int(j)] = float(val) + 0.0
    return out or None


# --------------------------------------------------------------------------- diagnosis


@dataclass
class _Context:
    cells: list
    cur: list
    v0: np.ndarray
    blank: np.ndarray
    eqs: list
    totals: dict
    raw_neighbours: Mapping  # the caller's neighbours (cell -> adjacent cells)
    run_together: Mapping
    index: dict

    @functools.cached_property
    def neighbours(self) -> dict[int, set[int]]:
        """cell index -> adjacent cell indices, made symmetric (built only for fixes of two
        or more cells: a column shift needs two)."""
        index, adjacency = self.index, {}
        for c, nbs in self.raw_neighbours.items():
            if c not in index:
                continue
            for nb in nbs:
                if nb in index and nb != c:  # adjacency is symmetric
                    adjacency.setdefault(index[c], set()).add(index[nb])
                    adjacency.setdefault(index[nb], set()).add(index[c])
        return adjacency


_STRENGTH = {
    "transposed_digits": 3,
    "column_shift": 3,
    "cells_run_together": 3,
    "mistyped_digit": 2,
    "total_not_updated": 2,
    "blank": 1,
}


def _fmt(x: float | None) -> str:
    if x is None:
        return "空白"
    if float(x).is_integer():
        return str(int(x))
    return f"{x:g}"


def _load_wording() -> dict:
    """The cause texts (validator/causes.yaml): wording is data; every cause must have one."""
    from pathlib import Path

    import yaml

    data = yaml.safe_load(Path(__file__).with_name("causes.yaml").read_text(encoding="utf-8"))
    missing = set(_STRENGTH) - set(data.get("causes") or {})
    if missing or not isinstance(data.get("join"), str) or not isinstance(data.get("digits"), str):
        raise RuntimeError(f"validator/causes.yaml: no text for {', '.join(sorted(missing)) or 'join/digits'}")
    return data


_WORDING = _load_wording()


def _cause(cause: str, **numbers) -> str:
    """A cause's text, its numbers written as people write them (空白 for a blank)."""
    return _WORDING["causes"][cause].format(**{k: v if isinstance(v, str) else _fmt(v) for k, v in numbers.items()})


def _digits(x: float | None) -> str | None:
    if x is None or not float(x).is_integer() or x < 0:
        return None
    return str(int(x))


def _make_fix(sol: dict[int, float], ctx: _Context) -> tuple[Fix, tuple]:
    order = sorted(sol)
    changes = tuple(Change(ctx.cells[i], ctx.cur[i], sol[i]) for i in order)
    parts: list[tuple[int, str, str]] = []  # (first cell index, cause, text)
    done: set[int] = set()
    new = ctx.v0.copy()
    for i, x in sol.items():
        new[i] = x

    # cells run together: "104" = 1 | 0 | 4
    for i in order:
        if i in done or ctx.cur[i] is None:
            continue
        cand = ctx.run_together.get(ctx.cells[i])
        if not cand:
            continue
        hit = _run_together(i, cand, sol, new, ctx)
        if hit:
            members, text = hit
            done.update(j for j in members if j in sol)
            parts.append((i, "cells_run_together", text))

    # column shift: neighbours changed by +d / -d
    for i in order if len(sol) > 1 else ():
        if i in done:
            continue
        for j in sorted(ctx.neighbours.get(i, ())):
            if j in done or j not in sol:
                continue
            di, dj = sol[i] - ctx.v0[i], sol[j] - ctx.v0[j]
            if abs(di + dj) <= 1e-9 * (1 + abs(di)) and di != 0:
                a, b = (i, j) if i < j else (j, i)
                d = abs(di)
                text = _cause("column_shift", moved=d, first_was=ctx.cur[a], first_now=sol[a],
                              second_was=ctx.cur[b], second_now=sol[b])
                done.update((i, j))
                parts.append((min(i, j), "column_shift", text))
                break

    for i in order:
        if i in done:
            continue
        c, s = ctx.cur[i], sol[i]
        cause = None
        if c is None:
            cause = "blank"
        elif _transposed(c, s):
            cause = "transposed_digits"
        elif _total_not_updated(i, sol, ctx):
            cause = "total_not_updated"
        elif _mistyped(c, s):
            cause = "mistyped_digit"
        if cause:
            done.add(i)
            parts.append((i, cause, _cause(cause, was=c, now=s)))

    parts.sort(key=lambda p: p[0])
    cause = parts[0][1] if parts else None
    cause_text = _WORDING["join"].join(p[2] for p in parts) if parts else None
    score = sum(_STRENGTH[p[1]] for p in parts)
    deviation = sum(abs(sol[i] - ctx.v0[i]) for i in sol)
    n_totals = sum(1 for i in sol if i in ctx.totals)
    return Fix(changes=changes, cause=cause, cause_text=cause_text), (-score, deviation, -n_totals)


def _transposed(c: float, s: float) -> bool:
    a, b = _digits(c), _digits(s)
    if a is None or b is None or len(a) != len(b) or len(a) < 2 or a == b:
        return False
    diff = [k for k in range(len(a)) if a[k] != b[k]]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


def _mistyped(c: float, s: float) -> bool:
    a, b = _digits(c), _digits(s)
    if a is None or b is None or len(a) != len(b):
        return False
    return sum(1 for x, y in zip(a, b) if x != y) == 1


def _total_not_updated(i: int, sol: dict[int, float], ctx: _Context) -> bool:
    for e in ctx.totals.get(i, ()):
        if all(j == i or j not in sol for j in ctx.eqs[e]):
            return True
    return False


def _run_together(i: int, cand: Sequence[Hashable], sol, new, ctx: _Context):
    target = _digits(ctx.cur[i])
    if target is None:
        return None
    seq = [ctx.index.get(c) for c in cand]
    if any(j is None for j in seq):
        return None
    if i not in seq:
        seq = [i] + seq
    pos = seq.index(i)
    for start in range(0, pos + 1):
        for end in range(max(pos + 1, start + 2), len(seq) + 1):
            window = seq[start:end]
            if any(j != i and ctx.cur[j] is not None for j in window):
                continue  # only blank cells can have been swallowed
            ds = [_digits(new[j]) for j in window]
            if any(d is None for d in ds):
                continue
            if "".join(ds) == target:
                return window, _cause("cells_run_together", target=target, digits=_WORDING["digits"].join(ds))
    return None
