-- Indexes of one load's tables ({schema}), each made once the first table it names is
-- filled, on one of several connections (while the loader fills the next table). Two
-- indexes of one table built at once cannot both take the default name (the table's and
-- the columns' names, cut at 63 bytes): where those would be the same, one is named here.
ALTER TABLE {schema}.entities ADD PRIMARY KEY (pos);
CREATE UNIQUE INDEX ON {schema}.entities (id) INCLUDE (out_n, in_n, kind, country);
CREATE UNIQUE INDEX ON {schema}.entities (rank);
CREATE INDEX ON {schema}.edges (src, out_pos, key_pos) INCLUDE (relation);
CREATE INDEX ON {schema}.edges (dst, in_pos, key_pos) INCLUDE (relation);
CREATE INDEX ON {schema}.edges (src, dst) INCLUDE (key, out_pos, key_pos, relation, derived, confidence, dst_out_n, dst_in_n);
CREATE INDEX ON {schema}.edges (dst, src) INCLUDE (in_pos, key_pos, relation, derived, confidence, src_out_n, src_in_n);
CREATE INDEX ON {schema}.dated (ended, day, relation, src, dst, key);
CREATE INDEX ON {schema}.names (name);
CREATE UNIQUE INDEX ON {schema}.words (word);
CREATE UNIQUE INDEX ON {schema}.words (number);
CREATE INDEX words_word_trgm_idx ON {schema}.words USING gin (word public.gin_trgm_ops);
ALTER TABLE {schema}.hub_items ADD PRIMARY KEY (hub, relation, way, position);
ALTER TABLE {schema}.hub_counts ADD PRIMARY KEY (hub, way, relation);
ALTER TABLE {schema}.hub_days ADD PRIMARY KEY (hub, way, facet, relation, value);
