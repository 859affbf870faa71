"""FollowTheMoney (OpenSanctions, Aleph) data: read FtM JSON-lines files into the graph.

The mapping lives in :mod:`graph.ftm.mapping`, the schema facts in
:mod:`graph.ftm.schema` (no followthemoney install needed), the streaming loader in
:mod:`graph.ftm.load`.
"""

from graph.ftm.load import FtmReport, Progress, load_ftm

__all__ = ["FtmReport", "Progress", "load_ftm"]
