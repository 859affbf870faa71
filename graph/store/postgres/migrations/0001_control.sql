-- The control schema: which loads exist, which one is served, which migrations ran.
-- A load's graph lives in its own schema (linkscope_g<id>, tables in layout.sql), so a new
-- load is written beside the served one and replaces it by one update of linkscope.served.
CREATE SCHEMA IF NOT EXISTS linkscope;

-- Trigram indexes for the name search's "inside a word" matches (ships with Debian's server).
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

CREATE TABLE linkscope.loads (
    id                bigserial PRIMARY KEY,
    schema_name       text        NOT NULL UNIQUE,
    layout            integer     NOT NULL,
    status            text        NOT NULL CHECK (status IN ('loading', 'served', 'retired', 'dropped', 'failed')),
    inputs            jsonb       NOT NULL,
    linkscope_version text        NOT NULL,
    started_at        timestamptz NOT NULL DEFAULT now(),
    finished_at       timestamptz,
    entities          bigint,
    relations         bigint,
    error             text
);

-- At most one row: the load every server reads.
CREATE TABLE linkscope.served (
    one     boolean     PRIMARY KEY DEFAULT true CHECK (one),
    load_id bigint      NOT NULL REFERENCES linkscope.loads (id),
    since   timestamptz NOT NULL DEFAULT now()
);
