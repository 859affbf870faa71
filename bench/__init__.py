"""Benchmarks: Linkscope's way beside the plain networkx way, in the same run (``make bench``)."""
