"""Linkscope's domain: the data model, loading and validation, the graph, queries and exports.

Nothing here imports a web framework or a renderer; ``app/`` is the layer that does.
"""
