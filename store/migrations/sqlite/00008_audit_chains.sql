-- +goose Up
-- The audit log becomes 16 hash chains: an entry joins the chain of its object, so writers of
-- different objects do not wait for one another, and each chain is sealed like the one before.
-- audit_chains keeps each chain's end: its last seq, its last hash and how many entries it has.
CREATE TABLE audit_chains (
    chain INTEGER PRIMARY KEY,
    seq   INTEGER NOT NULL,
    hash  TEXT NOT NULL,
    n     INTEGER NOT NULL
);
INSERT INTO audit_chains (chain, seq, hash, n) SELECT 0, seq, hash, (SELECT COUNT(*) FROM audit_log) FROM audit_head WHERE id = 1;
INSERT INTO audit_chains (chain, seq, hash, n) VALUES (1, 0, '', 0), (2, 0, '', 0), (3, 0, '', 0), (4, 0, '', 0), (5, 0, '', 0),
    (6, 0, '', 0), (7, 0, '', 0), (8, 0, '', 0), (9, 0, '', 0), (10, 0, '', 0), (11, 0, '', 0), (12, 0, '', 0), (13, 0, '', 0),
    (14, 0, '', 0), (15, 0, '', 0);
ALTER TABLE audit_log ADD COLUMN chain INTEGER NOT NULL DEFAULT 0;
CREATE INDEX audit_chain ON audit_log(chain, seq);
-- case_counters also counts audit entries (key 'audit'): the next seq continues the log.
INSERT INTO case_counters (prefix, n) SELECT 'audit', seq FROM audit_head WHERE id = 1;
DROP TABLE audit_head;

-- +goose Down
DELETE FROM case_counters WHERE prefix = 'audit';
CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL);
DROP INDEX audit_chain;
ALTER TABLE audit_log DROP COLUMN chain;
DROP TABLE audit_chains;
