-- The tables of one load, in its own schema ({schema}). Filled with COPY, indexed after
-- (layout_indexes.sql). Text that is compared or ordered like Python strings is COLLATE "C"
-- (code point order, as Python sorts).

-- Entities in the order the in-memory graph holds them (pos), with their attributes as the
-- loader made them, how many distinct neighbours they have each way, and their place in
-- the name search (rank: label order; kind and country as the search's facets count them).
CREATE TABLE {schema}.entities (
    pos        integer NOT NULL,
    id         text    NOT NULL,
    attrs      json    NOT NULL,
    out_n      integer NOT NULL,
    in_n       integer NOT NULL,
    rank       integer NOT NULL,
    kind       text    COLLATE "C" NOT NULL,
    country    text    COLLATE "C" NOT NULL,
    label_name text    COLLATE "C"
);

-- Edges with the position of each end in the other's adjacency (out_pos: the target among
-- the source's neighbours; in_pos: the source among the target's), and of the key among the
-- pair's keys, so adjacency reads back in the in-memory graph's order; the relation type
-- beside the attributes, so a walk can skip relations it may not take without reading them.
CREATE TABLE {schema}.edges (
    src      text    NOT NULL,
    dst      text    NOT NULL,
    key      text    NOT NULL,
    out_pos  integer NOT NULL,
    in_pos   integer NOT NULL,
    key_pos  integer NOT NULL,
    relation text    NOT NULL,
    attrs    json    NOT NULL
);

-- Dated edges (when each began, and separately when each ended) for timelines and changes.
CREATE TABLE {schema}.dated (
    ended    boolean NOT NULL,
    day      text    COLLATE "C" NOT NULL,
    relation text    COLLATE "C" NOT NULL,
    src      text    COLLATE "C" NOT NULL,
    dst      text    COLLATE "C" NOT NULL,
    key      text    COLLATE "C" NOT NULL
);

-- The name search: every folded name (label or alias) of every entity (by rank), every
-- word of those names (number: its place in sorted order), and which entities have a word
-- anywhere in a name (word_any) or as a name's first word (word_first).
CREATE TABLE {schema}.names (
    name   text    COLLATE "C" NOT NULL,
    entity integer NOT NULL,
    alias  boolean NOT NULL
);
CREATE TABLE {schema}.words (
    word    text    COLLATE "C" NOT NULL,
    number  integer NOT NULL,
    numeric boolean NOT NULL
);
CREATE TABLE {schema}.word_any (
    word   integer NOT NULL,
    entity integer NOT NULL
);
CREATE TABLE {schema}.word_first (
    word   integer NOT NULL,
    entity integer NOT NULL
);

-- The relations of hubs in entity-detail order (see graph.store.hubs), with the days each
-- counts from and until as ordinals.
CREATE TABLE {schema}.hub_items (
    hub       text    NOT NULL,
    relation  text    NOT NULL,
    way       text    NOT NULL,
    position  integer NOT NULL,
    other     text    NOT NULL,
    key       text    NOT NULL,
    start_day integer NOT NULL,
    end_day   integer NOT NULL
);

-- Every entity's kind and country as codes in search order (numpy uint16 bytes), which a
-- server reads once to filter and count search results without a join per match.
CREATE TABLE {schema}.arrays (
    name text PRIMARY KEY,
    data bytea NOT NULL
);

-- Whole-graph facts as JSON: graph attributes, vocabulary, counts, the FtM report.
CREATE TABLE {schema}.meta (
    key   text PRIMARY KEY,
    value json NOT NULL
);
