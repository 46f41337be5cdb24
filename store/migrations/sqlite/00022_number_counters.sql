-- +goose Up
-- The counter rows hold more than case numbers: ticket numbers per line and day, 12345 ticket
-- numbers, certificate serials (store.Count), and on SQLite case and audit sequences
-- (store.NextSeqs). The table is named for what it holds, its key column too (`counters` are
-- the hall's windows).
ALTER TABLE case_counters RENAME TO number_counters;
ALTER TABLE number_counters RENAME COLUMN prefix TO name;

-- +goose Down
ALTER TABLE number_counters RENAME COLUMN name TO prefix;
ALTER TABLE number_counters RENAME TO case_counters;
