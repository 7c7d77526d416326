-- Public schema of the finance database. Grain and columns are documented in data/README.md.
-- Directorates and loads are checked by the loader rather than by foreign keys: DuckDB rewrites
-- an UPDATE of a referenced row as delete-and-insert, which a foreign key would refuse.

-- A document figures come from: the 2021 report (built, with its file) or a document a figures load cites
-- (title, date and URL as the file gives them; `published_on` is null where the file gives no date).
CREATE TABLE sources (
    source_id       VARCHAR PRIMARY KEY,
    title           VARCHAR NOT NULL,
    published_on    DATE,
    file_name       VARCHAR,
    sha256          VARCHAR,
    url             VARCHAR,
    load_id         INTEGER
);

-- The catalogue of measures a figure may report, from the reviewed data/measures.csv.
CREATE TABLE measures (
    measure         VARCHAR PRIMARY KEY,
    label           VARCHAR NOT NULL,
    unit            VARCHAR NOT NULL CHECK (unit IN ('gbp_m', 'pct', 'count', 'year', 'rank')),
    definition      VARCHAR NOT NULL,
    aliases         VARCHAR[] NOT NULL,
    periods         VARCHAR[] NOT NULL,
    scenarios       VARCHAR[] NOT NULL
);

CREATE TABLE loads (
    load_id         INTEGER PRIMARY KEY,
    kind            VARCHAR NOT NULL CHECK (kind IN ('build', 'sample', 'monitoring', 'figures', 'savings',
                                                     'returns', 'neighbours')),
    file_name       VARCHAR NOT NULL,
    sha256          VARCHAR NOT NULL,
    row_count       INTEGER NOT NULL,
    loaded_at       TIMESTAMP NOT NULL,
    loaded_by       VARCHAR NOT NULL,
    undone_at       TIMESTAMP,
    undone_by       VARCHAR
);
CREATE SEQUENCE load_id_seq START 1;

CREATE TABLE directorates (
    directorate     VARCHAR PRIMARY KEY,
    sort_order      INTEGER NOT NULL,
    aliases         VARCHAR[] NOT NULL,
    source_quote    VARCHAR
);

CREATE TABLE reported_figures (
    figure_id       VARCHAR PRIMARY KEY,
    measure         VARCHAR NOT NULL,
    label           VARCHAR NOT NULL,
    fiscal_year     VARCHAR CHECK (regexp_full_match(fiscal_year, '[0-9]{4}/[0-9]{2}')),
    period          VARCHAR NOT NULL CHECK (period IN ('budget', 'q1', 'q2', 'q3', 'outturn', 'forecast', 'plan', 'projection', 'as_at')),
    scenario        VARCHAR CHECK (scenario IN ('mitigated', 'unmitigated')),
    directorate     VARCHAR,
    value           DOUBLE NOT NULL,
    unit            VARCHAR NOT NULL CHECK (unit IN ('gbp_m', 'pct', 'count', 'year', 'rank')),
    qualifier       VARCHAR CHECK (qualifier IN ('circa', 'nearly', 'just under', 'less than', 'within top')),
    basis           VARCHAR NOT NULL CHECK (basis IN ('reported', 'derived', 'interpolated', 'sample')),
    derivation      VARCHAR,
    as_at_date      DATE,
    source_document VARCHAR NOT NULL,
    source_section  VARCHAR NOT NULL,
    source_quote    VARCHAR NOT NULL,
    load_id         INTEGER,
    source_id       VARCHAR,
    CHECK (basis <> 'derived' OR derivation IS NOT NULL)
);

CREATE TABLE recommendations (
    rec_no          INTEGER PRIMARY KEY CHECK (rec_no BETWEEN 1 AND 48),
    theme           VARCHAR NOT NULL,
    recommendation  VARCHAR NOT NULL,
    response        VARCHAR,
    timeline_text   VARCHAR,
    timeline_kind   VARCHAR NOT NULL CHECK (timeline_kind IN ('date', 'season', 'ongoing', 'complete', 'missing', 'invalid')),
    due_date        DATE,
    lead            VARCHAR,
    see_also        INTEGER[] NOT NULL,
    source_appendix INTEGER NOT NULL CHECK (source_appendix IN (2, 3)),
    source_issues   VARCHAR
);

CREATE SEQUENCE update_id_seq START 1;
CREATE TABLE action_updates (
    update_id        INTEGER PRIMARY KEY DEFAULT nextval('update_id_seq'),
    rec_no           INTEGER NOT NULL REFERENCES recommendations (rec_no),
    status           VARCHAR NOT NULL CHECK (status IN ('not_started', 'in_progress', 'complete', 'ongoing', 'blocked')),
    percent_complete INTEGER CHECK (percent_complete BETWEEN 0 AND 100),
    revised_due_date DATE,
    note             VARCHAR,
    evidence_url     VARCHAR,
    updated_by       VARCHAR NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    -- The form submission it came from (data.actions.record_update): a resubmission is not stored twice.
    submission_id    VARCHAR UNIQUE
);

-- Period-close snapshots: per fiscal year, period (P1 = April ... P12 = March) and cost centre, the
-- annual budget as it stood, the actual spend to date and the forecast outturn for the whole year.
-- Every period is kept, so the forecast's drift through the year and the movement between reports show.
CREATE TABLE monitoring (
    fiscal_year          VARCHAR NOT NULL CHECK (regexp_full_match(fiscal_year, '[0-9]{4}/[0-9]{2}')),
    period               INTEGER NOT NULL CHECK (period BETWEEN 1 AND 12),
    directorate          VARCHAR NOT NULL,
    service              VARCHAR NOT NULL,
    cost_centre          VARCHAR NOT NULL,
    annual_budget_gbp    DECIMAL(14, 2) NOT NULL,
    actual_ytd_gbp       DECIMAL(14, 2) NOT NULL,
    forecast_outturn_gbp DECIMAL(14, 2) NOT NULL,
    basis                VARCHAR NOT NULL CHECK (basis IN ('reported', 'sample')),
    load_id              INTEGER NOT NULL
);

-- Lines a load replaced (reported lines of the same year, period and directorate, or the sample lines of
-- the same year), kept so that undoing the load can put them back. `replaced_by` is that load.
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

-- The savings programme as it stood at a period close: per scheme, the saving in the budget (target)
-- and the saving now forecast to be delivered. Target minus delivery is carried in the forecast outturn.
CREATE TABLE savings (
    fiscal_year           VARCHAR NOT NULL CHECK (regexp_full_match(fiscal_year, '[0-9]{4}/[0-9]{2}')),
    period                INTEGER NOT NULL CHECK (period BETWEEN 1 AND 12),
    directorate           VARCHAR NOT NULL,
    scheme                VARCHAR NOT NULL,
    target_gbp            DECIMAL(14, 2) NOT NULL,
    forecast_delivery_gbp DECIMAL(14, 2) NOT NULL,
    status                VARCHAR NOT NULL CHECK (status IN ('delivered', 'on_track', 'at_risk', 'not_deliverable')),
    basis                 VARCHAR NOT NULL CHECK (basis IN ('reported', 'sample')),
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
    fiscal_year     VARCHAR NOT NULL CHECK (regexp_full_match(fiscal_year, '[0-9]{4}/[0-9]{2}')),
    ons_code        VARCHAR NOT NULL,
    authority       VARCHAR NOT NULL,
    authority_class VARCHAR,
    line            INTEGER NOT NULL,
    line_name       VARCHAR NOT NULL,
    balance_at      VARCHAR CHECK (balance_at IN ('1 April', '31 March')),
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

-- The latest update per recommendation: the tracker's current state.
CREATE VIEW recommendation_status AS
SELECT r.*, u.update_id, u.status, u.percent_complete, u.revised_due_date, u.note,
       u.evidence_url, u.updated_by, u.updated_at
FROM recommendations r
LEFT JOIN (
    SELECT * FROM action_updates
    QUALIFY row_number() OVER (PARTITION BY rec_no ORDER BY updated_at DESC, update_id DESC) = 1
) u USING (rec_no);
