"""Cross-reference: which imported list entries (FtM) are likely the same as a curated entity.

For a curated firm, agency, institute or person, :func:`xref` (or
:meth:`XrefIndex.matches`) finds the loaded FollowTheMoney entities that are probably the
same, best first, each with a score in [0, 1] and short reasons: which names matched and
how, whether the countries agree, shared identifiers. Names are compared after what lists
do to them (:mod:`.names`: case, punctuation, legal forms, transliteration, acronyms,
aliases on both sides), word by word with generic words weighed less (:mod:`.compare`),
then scored with countries, identifiers and kinds (:mod:`.score`). :class:`XrefIndex`
(:mod:`.index`) keeps a million entities from being compared one by one. The default
threshold is calibrated on labelled pairs (:mod:`.evaluate`, ``tests/fixtures/xref``).
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx

from graph.xref.index import Candidate, XrefIndex, XrefResult, curated_subjects
from graph.xref.score import DEFAULT_THRESHOLD

__all__ = ["DEFAULT_THRESHOLD", "Candidate", "XrefIndex", "XrefResult", "curated_subjects", "xref"]


def xref(
    graph: nx.MultiDiGraph,
    curated_ids: Sequence[str] | None = None,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = 10,
    index: XrefIndex | None = None,
) -> list[XrefResult]:
    """The likely list matches of each curated entity in ``curated_ids`` (None: every curated
    firm, agency, institute and person), in that order.

    ``index`` is the graph's :class:`XrefIndex` when one is already built (building it
    reads every imported entity: keep it while the graph does not change).
    """
    index = index if index is not None else XrefIndex.build(graph)
    subjects = curated_subjects(graph) if curated_ids is None else list(curated_ids)
    return [index.matches(graph, node, threshold=threshold, limit=limit) for node in subjects]
