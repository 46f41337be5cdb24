-- +goose Up
-- hotline_tickets are 12345 requests: taken by an operator, dispatched to a department, answered
-- there, closed with the caller's satisfaction; a dissatisfied caller's ticket is followed up.
CREATE TABLE hotline_tickets (
    number          TEXT PRIMARY KEY,
    caller_name     TEXT NOT NULL,
    caller_phone_enc TEXT NOT NULL,
    caller_phone_idx TEXT NOT NULL,
    category        TEXT NOT NULL,
    content         TEXT NOT NULL,
    status          TEXT NOT NULL,
    department_code TEXT REFERENCES departments(code),
    due             TEXT,
    reply           TEXT NOT NULL DEFAULT '',
    satisfaction    INTEGER,
    follow_up       TEXT NOT NULL DEFAULT '',
    created_by      TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX hotline_tickets_status ON hotline_tickets(status, created_at);
CREATE INDEX hotline_tickets_department ON hotline_tickets(department_code, status);

CREATE TABLE hotline_events (
    id          BIGSERIAL PRIMARY KEY,
    number      TEXT NOT NULL REFERENCES hotline_tickets(number),
    at          TIMESTAMPTZ NOT NULL,
    action      TEXT NOT NULL,
    actor       TEXT NOT NULL,
    role        TEXT NOT NULL,
    status      TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX hotline_events_number ON hotline_events(number, at);

-- A bad rating (差评, level 1–2) is followed up: who, when, what was done.
ALTER TABLE ratings ADD COLUMN follow_up TEXT NOT NULL DEFAULT '';
ALTER TABLE ratings ADD COLUMN followed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE ratings ADD COLUMN followed_at TIMESTAMPTZ;
CREATE INDEX ratings_bad_open ON ratings(level, followed_at);

-- +goose Down
DROP INDEX ratings_bad_open;
ALTER TABLE ratings DROP COLUMN followed_at;
ALTER TABLE ratings DROP COLUMN followed_by;
ALTER TABLE ratings DROP COLUMN follow_up;
DROP TABLE hotline_events;
DROP TABLE hotline_tickets;
