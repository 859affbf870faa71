"""Questions asked of a built graph: neighbourhoods, paths, supply chains, entity detail,
timelines and counts, each bounded in size and time; :mod:`.selection` turns any of the
first three (or the whole graph) into one typed selection to show or export."""
