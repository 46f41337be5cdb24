-- +goose Up
-- audit_verifications: each walk of the whole audit chain (the hourly job, and at start): when,
-- how many entries were checked, and the first broken entry (0 and no problem when intact).
CREATE TABLE audit_verifications (
    id         INTEGER PRIMARY KEY,
    at         TIMESTAMP NOT NULL,
    entries    INTEGER NOT NULL,
    broken_seq INTEGER NOT NULL DEFAULT 0,
    problem    TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE audit_verifications;
