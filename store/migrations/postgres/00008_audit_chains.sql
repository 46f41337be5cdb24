-- +goose Up
-- The audit log becomes 16 hash chains (see the SQLite migration); entries take their seq from a
-- sequence, and case numbers from another, so no writer holds a row lock across its commit.
CREATE TABLE audit_chains (
    chain INTEGER PRIMARY KEY,
    seq   BIGINT NOT NULL,
    hash  TEXT NOT NULL,
    n     BIGINT NOT NULL
);
INSERT INTO audit_chains (chain, seq, hash, n) SELECT 0, seq, hash, (SELECT COUNT(*) FROM audit_log) FROM audit_head WHERE id = 1;
INSERT INTO audit_chains (chain, seq, hash, n) SELECT g, 0, '', 0 FROM generate_series(1, 15) AS g;
ALTER TABLE audit_log ADD COLUMN chain INTEGER NOT NULL DEFAULT 0;
CREATE INDEX audit_chain ON audit_log(chain, seq);
DROP TABLE audit_head;
CREATE SEQUENCE audit_seq;
SELECT setval('audit_seq', GREATEST((SELECT COALESCE(MAX(seq), 0) FROM audit_log), 1));
CREATE SEQUENCE case_seq;

-- +goose Down
DROP SEQUENCE case_seq;
DROP SEQUENCE audit_seq;
CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL, hash TEXT NOT NULL);
DROP INDEX audit_chain;
ALTER TABLE audit_log DROP COLUMN chain;
DROP TABLE audit_chains;
