-- +goose Up
-- rating_stats_delta: what committed ratings and follow-ups add to the lines of rating_stats and
-- a job has not yet folded into them (ratings.FoldStats, every few seconds), as case_stats_delta
-- does for the cases: a rating appends a row instead of updating its day's and department's line
-- in place, so concurrent ratings share no row. Every read adds the rows not yet folded in the
-- same statement. No key and no index: rows are only appended and soon folded.
CREATE TABLE rating_stats_delta (
    day             TEXT NOT NULL,
    department_code TEXT NOT NULL,
    ratings         INTEGER NOT NULL,
    good            INTEGER NOT NULL,
    bad             INTEGER NOT NULL,
    followed_up     INTEGER NOT NULL,
    level_sum       INTEGER NOT NULL
);

-- +goose Down
DROP TABLE rating_stats_delta;
