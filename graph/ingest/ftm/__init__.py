"""FollowTheMoney (OpenSanctions, Aleph) data: read FtM JSON-lines files into the graph.

The mapping lives in :mod:`.mapping`, the schema facts in :mod:`.schemata` (no
followthemoney install needed), value checks in :mod:`.clean`, the streaming loader in
:mod:`.load`, the final pass over references in :mod:`.references`, and what a load did
in :mod:`.report`.
"""

from graph.ingest.ftm.load import load_ftm
from graph.ingest.ftm.report import FtmReport, Progress

__all__ = ["FtmReport", "Progress", "load_ftm"]
