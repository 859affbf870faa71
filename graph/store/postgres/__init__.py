"""PostgreSQL as the graph's shared home: many stateless servers over one database.

:mod:`.load` writes a validated graph into a new version of the tables and serves it
atomically; :mod:`.migrate` keeps the control schema current; :mod:`.store` answers every
query the in-memory store answers, reading only what a query needs (:mod:`.lazy`), with
the name search (:mod:`.search`) and the dated and hub indexes (:mod:`.indexes`) in SQL.
psycopg is the ``postgres`` extra, imported only when a database is used.
"""
