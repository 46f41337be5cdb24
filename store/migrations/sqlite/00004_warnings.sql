-- +goose Up
-- warned_level is the highest warning already raised for a case (0 none, 1 yellow, 2 red):
-- a warning is raised once, whichever job or node sees it first.
ALTER TABLE cases ADD COLUMN warned_level INTEGER NOT NULL DEFAULT 0;
ALTER TABLE case_deferred ADD COLUMN reminded INTEGER NOT NULL DEFAULT 0;
ALTER TABLE case_deferred ADD COLUMN missed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX cases_warn ON cases(status, warned_level, yellow_from);

-- notifications is the outbox: written in the same transaction as the event it reports, then
-- sent by a job through its channel (log, webhook, SMS gateway).
CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    channel     TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    event       TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    payload     TEXT NOT NULL DEFAULT '{}',
    created_at  TIMESTAMP NOT NULL,
    sent_at     TIMESTAMP,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX notifications_unsent ON notifications(sent_at, id);

-- +goose Down
DROP TABLE notifications;
DROP INDEX cases_warn;
ALTER TABLE case_deferred DROP COLUMN missed;
ALTER TABLE case_deferred DROP COLUMN reminded;
ALTER TABLE cases DROP COLUMN warned_level;
