-- +goose Up
-- case_stats_delta: what committed transactions add to the lines of case_stats (and so of
-- case_stats_month) and a job has not yet folded into them. An intake or a step of a case
-- appends its changes here instead of updating a line in place, so concurrent transactions on
-- one item and day share no row (on PostgreSQL they queued on the line's row lock for each
-- other's commit). The fold job (cases.FoldStats, every few seconds) adds the rows to the lines
-- and deletes them in one transaction; every read of the figures adds the rows not yet folded in
-- the same statement, so it stays exact (cases/stats.go). No key and no index: rows are only
-- appended, and the table holds a few seconds' worth.
CREATE TABLE case_stats_delta (
    day             TEXT NOT NULL,
    department_code TEXT NOT NULL,
    item_code       TEXT NOT NULL,
    item_name       TEXT NOT NULL,
    submitted       INTEGER NOT NULL,
    in_progress     INTEGER NOT NULL,
    decided         INTEGER NOT NULL,
    rejected        INTEGER NOT NULL,
    on_time         INTEGER NOT NULL,
    late            INTEGER NOT NULL
);

-- +goose Down
DROP TABLE case_stats_delta;
