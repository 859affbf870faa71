"""The model: what a data file may say (:mod:`.datafile`), the vocabulary the graph speaks
(:mod:`.vocabulary`), and the value types both rely on (dates, country codes, plain text)."""
