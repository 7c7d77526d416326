-- data/schema.sql as a DuckLake holds it (the shared store): the same tables, columns, types and NOT NULLs,
-- and the same view. DuckLake refuses PRIMARY KEY, UNIQUE, CHECK, REFERENCES and sequences: ids come from
-- PostgreSQL sequences (data.db.next_id) and the key and CHECK rules are checked before each commit
-- (data/lake_schema.py). tests/test_lake_schema.py holds this file and schema.sql together.
-- Running the file replaces whatever the lake held, inside the caller's transaction (rebuild, migrate).

DROP VIEW IF EXISTS recommendation_status;
DROP TABLE IF EXISTS sources;
DROP TABLE IF EXISTS measures;
DROP TABLE IF EXISTS loads;
DROP TABLE IF EXISTS directorates;
DROP TABLE IF EXISTS reported_figures;
DROP TABLE IF EXISTS recommendations;
DROP TABLE IF EXISTS action_updates;
DROP TABLE IF EXISTS monitoring;
DROP TABLE IF EXISTS monitoring_replaced;
DROP TABLE IF EXISTS savings;
DROP TABLE IF EXISTS savings_replaced;
DROP TABLE IF EXISTS returns;
DROP TABLE IF EXISTS returns_replaced;
DROP TABLE IF EXISTS neighbours;
DROP TABLE IF EXISTS neighbours_replaced;

CREATE TABLE sources (
    source_id       VARCHAR NOT NULL,
    title           VARCHAR NOT NULL,
    published_on    DATE,
    file_name       VARCHAR,
    sha256          VARCHAR,
    url             VARCHAR,
    load_id         INTEGER
);

CREATE TABLE measures (
    measure         VARCHAR NOT NULL,
    label           VARCHAR NOT NULL,
    unit            VARCHAR NOT NULL,
    definition      VARCHAR NOT NULL,
    aliases         VARCHAR[] NOT NULL,
    periods         VARCHAR[] NOT NULL,
    scenarios       VARCHAR[] NOT NULL
);

CREATE TABLE loads (
    load_id         INTEGER NOT NULL,
    kind            VARCHAR NOT NULL,
    file_name       VARCHAR NOT NULL,
    sha256          VARCHAR NOT NULL,
    row_count       INTEGER NOT NULL,
    loaded_at       TIMESTAMP NOT NULL,
    loaded_by       VARCHAR NOT NULL,
    undone_at       TIMESTAMP,
    undone_by       VARCHAR
);

CREATE TABLE directorates (
    directorate     VARCHAR NOT NULL,
    sort_order      INTEGER NOT NULL,
    aliases         VARCHAR[] NOT NULL,
    source_quote    VARCHAR
);

CREATE TABLE reported_figures (
    figure_id       VARCHAR NOT NULL,
    measure         VARCHAR NOT NULL,
    label           VARCHAR NOT NULL,
    fiscal_year     VARCHAR,
    period          VARCHAR NOT NULL,
    scenario        VARCHAR,
    directorate     VARCHAR,
    value           DOUBLE NOT NULL,
    unit            VARCHAR NOT NULL,
    qualifier       VARCHAR,
    basis           VARCHAR NOT NULL,
    derivation      VARCHAR,
    as_at_date      DATE,
    source_document VARCHAR NOT NULL,
    source_section  VARCHAR NOT NULL,
    source_quote    VARCHAR NOT NULL,
    load_id         INTEGER,
    source_id       VARCHAR
);

CREATE TABLE recommendations (
    rec_no          INTEGER NOT NULL,
    theme           VARCHAR NOT NULL,
    recommendation  VARCHAR NOT NULL,
    response        VARCHAR,
    timeline_text   VARCHAR,
    timeline_kind   VARCHAR NOT NULL,
    due_date        DATE,
    lead            VARCHAR,
    see_also        INTEGER[] NOT NULL,
    source_appendix INTEGER NOT NULL,
    source_issues   VARCHAR
);

CREATE TABLE action_updates (
    update_id        INTEGER NOT NULL,
    rec_no           INTEGER NOT NULL,
    status           VARCHAR NOT NULL,
    percent_complete INTEGER,
    revised_due_date DATE,
    note             VARCHAR,
    evidence_url     VARCHAR,
    updated_by       VARCHAR NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    submission_id    VARCHAR
);

CREATE TABLE monitoring (
    fiscal_year          VARCHAR NOT NULL,
    period               INTEGER NOT NULL,
    directorate          VARCHAR NOT NULL,
    service              VARCHAR NOT NULL,
    cost_centre          VARCHAR NOT NULL,
    annual_budget_gbp    DECIMAL(14, 2) NOT NULL,
    actual_ytd_gbp       DECIMAL(14, 2) NOT NULL,
    forecast_outturn_gbp DECIMAL(14, 2) NOT NULL,
    basis                VARCHAR NOT NULL,
    load_id              INTEGER NOT NULL
);

CREATE TABLE monitoring_replaced (
    fiscal_year          VARCHAR NOT NULL,
    period               INTEGER NOT NULL,
    directorate          VARCHAR NOT NULL,
    service              VARCHAR NOT NULL,
    cost_centre          VARCHAR NOT NULL,
    annual_budget_gbp    DECIMAL(14, 2) NOT NULL,
    actual_ytd_gbp       DECIMAL(14, 2) NOT NULL,
    forecast_outturn_gbp DECIMAL(14, 2) NOT NULL,
    basis                VARCHAR NOT NULL,
    load_id              INTEGER NOT NULL,
    replaced_by          INTEGER NOT NULL
);

CREATE TABLE savings (
    fiscal_year           VARCHAR NOT NULL,
    period                INTEGER NOT NULL,
    directorate           VARCHAR NOT NULL,
    scheme                VARCHAR NOT NULL,
    target_gbp            DECIMAL(14, 2) NOT NULL,
    forecast_delivery_gbp DECIMAL(14, 2) NOT NULL,
    status                VARCHAR NOT NULL,
    basis                 VARCHAR NOT NULL,
    load_id               INTEGER NOT NULL
);

CREATE TABLE savings_replaced (
    fiscal_year           VARCHAR NOT NULL,
    period                INTEGER NOT NULL,
    directorate           VARCHAR NOT NULL,
    scheme                VARCHAR NOT NULL,
    target_gbp            DECIMAL(14, 2) NOT NULL,
    forecast_delivery_gbp DECIMAL(14, 2) NOT NULL,
    status                VARCHAR NOT NULL,
    basis                 VARCHAR NOT NULL,
    load_id               INTEGER NOT NULL,
    replaced_by           INTEGER NOT NULL
);

-- MHCLG's Revenue Outturn Summary (RS) returns as published: one row per financial year, authority (ONS code),
-- RS line and, for a reserves line, the date its balance is at. Values as the return gives them, in £ thousand
-- (NULL: the return's cell is blank or suppressed). Each row names the file, sheet, column and cell it came from.
-- A load of a year's returns replaces every row held for that year.
CREATE TABLE returns (
    fiscal_year     VARCHAR NOT NULL,
    ons_code        VARCHAR NOT NULL,
    authority       VARCHAR NOT NULL,
    authority_class VARCHAR,
    line            INTEGER NOT NULL,
    line_name       VARCHAR NOT NULL,
    balance_at      VARCHAR,
    value_gbp_k     DOUBLE,
    file_name       VARCHAR NOT NULL,
    sheet           VARCHAR,
    column_name     VARCHAR NOT NULL,
    cell            VARCHAR NOT NULL,
    load_id         INTEGER NOT NULL
);

-- Returns a later load of the same year replaced, kept so that undoing that load can put them back.
CREATE TABLE returns_replaced (
    fiscal_year     VARCHAR NOT NULL,
    ons_code        VARCHAR NOT NULL,
    authority       VARCHAR NOT NULL,
    authority_class VARCHAR,
    line            INTEGER NOT NULL,
    line_name       VARCHAR NOT NULL,
    balance_at      VARCHAR,
    value_gbp_k     DOUBLE,
    file_name       VARCHAR NOT NULL,
    sheet           VARCHAR,
    column_name     VARCHAR NOT NULL,
    cell            VARCHAR NOT NULL,
    load_id         INTEGER NOT NULL,
    replaced_by     INTEGER NOT NULL
);

-- Statistical nearest neighbours: one row per authority and neighbour (ONS codes), with the neighbour's rank
-- where the list gives one. A load replaces the whole list of each authority it names.
CREATE TABLE neighbours (
    authority_code  VARCHAR NOT NULL,
    neighbour_code  VARCHAR NOT NULL,
    rank            INTEGER,
    load_id         INTEGER NOT NULL
);

CREATE TABLE neighbours_replaced (
    authority_code  VARCHAR NOT NULL,
    neighbour_code  VARCHAR NOT NULL,
    rank            INTEGER,
    load_id         INTEGER NOT NULL,
    replaced_by     INTEGER NOT NULL
);

CREATE VIEW recommendation_status AS
SELECT r.*, u.update_id, u.status, u.percent_complete, u.revised_due_date, u.note,
       u.evidence_url, u.updated_by, u.updated_at
FROM recommendations r
LEFT JOIN (
    SELECT * FROM action_updates
    QUALIFY row_number() OVER (PARTITION BY rec_no ORDER BY updated_at DESC, update_id DESC) = 1
) u USING (rec_no);
