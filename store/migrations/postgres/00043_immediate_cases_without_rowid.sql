-- +goose Up
-- SQLite stores immediate_cases WITHOUT ROWID from 00043 (one b-tree less per 即办 acceptance).
-- PostgreSQL has no rowid tables: nothing to do; the number is kept so both dialects' versions
-- stay the same.
SELECT 1;

-- +goose Down
SELECT 1;
