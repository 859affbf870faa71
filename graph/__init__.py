"""Linkscope's domain, in the order data flows through it:

- :mod:`graph.model`: what a data file may say, and the vocabulary (kinds, relation types,
  statuses, confidence levels, styles) as data;
- :mod:`graph.ingest`: reading and validating data, curated YAML and FollowTheMoney lines;
- :mod:`graph.store`: the built graph, how its records are stored (:mod:`graph.store.records`,
  the one module that touches networkx's internals), its search and dated indexes;
- :mod:`graph.queries`: neighbourhoods, paths, supply chains, entity detail, timelines, and
  :func:`graph.queries.selection.select`, the one way to ask for a part of the graph;
- :mod:`graph.exports`: every selection in every file format.

Nothing here imports a web framework or a renderer; ``app/`` is the layer that does.
"""
