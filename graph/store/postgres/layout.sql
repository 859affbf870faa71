-- The tables of one load, in its own schema ({schema}). Filled with COPY, indexed after
-- (layout_indexes.sql). Each statement is about the first table it names: the loader runs
-- a table's statements in the transaction that fills it. Text that is compared or ordered
-- like Python strings is COLLATE "C" (code point order, as Python sorts), and so are ids:
-- compared byte by byte, whatever the database's default collation, they are looked up faster.

-- Entities in the order the in-memory graph holds them (pos), with their attributes as the
-- loader made them, how many distinct neighbours they have each way, their place in the
-- name search (rank: label order; kind and country as the search's facets count them), and
-- their label as Python reads it (str(attrs.get("label", id))), which a group's member
-- search filters and orders without parsing every member's attributes; and the targets of
-- its out-edges in adjacency order when it has at most OUTS_LISTED of them (most entities;
-- NULL for the others), with those edges (out_edges: per target, key -> attributes, in key
-- order), so a view finds the edges among its entities in the rows it reads for their
-- attributes, without one index search per entity nor a statement for their edges.
CREATE TABLE {schema}.entities (
    pos        integer NOT NULL,
    id         text    COLLATE "C" NOT NULL,
    attrs      json    NOT NULL,
    out_n      integer NOT NULL,
    in_n       integer NOT NULL,
    rank       integer NOT NULL,
    kind       text    COLLATE "C" NOT NULL,
    country    text    COLLATE "C" NOT NULL,
    label_name text    COLLATE "C",
    label      text    COLLATE "C" NOT NULL,
    outs       text[],
    out_edges  json
);

-- Edges with the position of each end in the other's adjacency (out_pos: the target among
-- the source's neighbours; in_pos: the source among the target's), and of the key among the
-- pair's keys, so adjacency reads back in the in-memory graph's order; the relation type
-- and whether the edge is derived beside the attributes, so a walk can skip relations it
-- may not take, and a path search step, without reading them; its confidence too, so a path
-- search ranks the paths it found without reading them;
-- and both ends' degrees (as entities.out_n, in_n), so a walk knows how many neighbours the
-- entities it reaches have without a lookup per entity.
CREATE TABLE {schema}.edges (
    src       text    COLLATE "C" NOT NULL,
    dst       text    COLLATE "C" NOT NULL,
    key       text    COLLATE "C" NOT NULL,
    out_pos   integer NOT NULL,
    in_pos    integer NOT NULL,
    key_pos   integer NOT NULL,
    relation  text    NOT NULL,
    derived   boolean NOT NULL,
    confidence text   COLLATE "C",
    attrs     json    NOT NULL,
    src_out_n integer NOT NULL,
    src_in_n  integer NOT NULL,
    dst_out_n integer NOT NULL,
    dst_in_n  integer NOT NULL
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

-- The name search: every folded name (label or alias) of every entity (by rank), and every
-- word of those names (number: its place in sorted order) with its postings, the ranks of
-- the entities having it anywhere in a name (any_entities) or as a name's first word
-- (first_entities), as little-endian int32 bytes (numpy's), so the words a prefix begins
-- are one range whose postings a server reads as four bytes per entity. Not compressed
-- (STORAGE EXTERNAL): PostgreSQL's pglz leaves these bytes as they are anyway, so a load
-- does not try.
CREATE TABLE {schema}.names (
    name   text    COLLATE "C" NOT NULL,
    entity integer NOT NULL,
    alias  boolean NOT NULL
);
CREATE TABLE {schema}.words (
    word           text    COLLATE "C" NOT NULL,
    number         integer NOT NULL,
    numeric        boolean NOT NULL,
    any_entities   bytea   NOT NULL,
    first_entities bytea   NOT NULL
);
ALTER TABLE {schema}.words ALTER COLUMN any_entities SET STORAGE EXTERNAL,
                           ALTER COLUMN first_entities SET STORAGE EXTERNAL;

-- The relations of hubs in entity-detail order (see graph.store.hubs), with the days each
-- counts from and until as ordinals; and, for grouping a hub's members without parsing
-- their edges' attributes, the key's place among the pair's keys (key_pos, as in edges:
-- a member's first passing edge is its least) and the relation's year and programme as
-- the grouping facets read them (see graph.store.records.relation_facets); and whether it
-- is its member's first of the group (the least key_pos: what reaches the member whatever the day).
CREATE TABLE {schema}.hub_items (
    hub       text    COLLATE "C" NOT NULL,
    relation  text    NOT NULL,
    way       text    NOT NULL,
    position  integer NOT NULL,
    other     text    COLLATE "C" NOT NULL,
    key       text    COLLATE "C" NOT NULL,
    start_day integer NOT NULL,
    end_day   integer NOT NULL,
    key_pos   integer NOT NULL,
    year      text    NOT NULL,
    program   text    NOT NULL,
    first     boolean NOT NULL
);

-- What grouping counts of each relation of each side of a hub with more than
-- graph.store.postgres.grouping.SMALL neighbours, with no as-of day nor kinds, made by the
-- load (see graph.store.postgres.hub_counts): how many members, the first's place in the
-- side's adjacency and its first edge's key_pos (as min(ARRAY[pos, key_pos]) over the
-- relation's edges), and the members by facet ({"kind": {value: count}, "country": ...,
-- "year": ..., "program": ...}).
CREATE TABLE {schema}.hub_counts (
    hub           text    COLLATE "C" NOT NULL,
    way           text    NOT NULL,
    relation      text    NOT NULL,
    members       integer NOT NULL,
    first_pos     integer NOT NULL,
    first_key_pos integer NOT NULL,
    facets        json    NOT NULL
);

-- The same relations' members in force by day: per facet value, the days (ordinals, in
-- order) its members come into force or leave and the change on each (the members in force
-- on a day are the sums of the changes up to it; every member has one kind, so the kinds'
-- changes summed count them all).
CREATE TABLE {schema}.hub_days (
    hub      text      COLLATE "C" NOT NULL,
    way      text      NOT NULL,
    relation text      NOT NULL,
    facet    text      NOT NULL,
    value    text      NOT NULL,
    days     integer[] NOT NULL,
    changes  integer[] NOT NULL
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
