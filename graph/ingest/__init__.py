"""Reading and validating data: curated YAML files (:mod:`.curated`, :mod:`.validate`) and
FollowTheMoney JSON lines (:mod:`.ftm`). Nothing is half-loaded: data that does not validate
raises :class:`~graph.errors.DataError` with every problem, file, line and reason."""
