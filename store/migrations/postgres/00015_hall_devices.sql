-- +goose Up
-- hall_devices are the hall's registered kiosks and counter rating pads; a device presents its
-- key (only the SHA-256 is kept). A kiosk gets a larger ticket budget and may read ID cards for
-- the green channel; a pad receives the one-time rating grant of its counter's last visit.
CREATE TABLE hall_devices (
    id         TEXT PRIMARY KEY,
    hall_id    TEXT NOT NULL REFERENCES halls(id),
    kind       TEXT NOT NULL,
    counter_id TEXT NOT NULL DEFAULT '',
    name       TEXT NOT NULL,
    key_hash   TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);

-- rating_grants: the one rating a counter's pad may give for the visit it last finished; the
-- token is kept hashed, is spent by the rating, and lapses after 15 minutes or when the counter
-- finishes another ticket.
CREATE TABLE rating_grants (
    counter_id TEXT PRIMARY KEY,
    ticket_id  TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE rating_grants;
DROP TABLE hall_devices;
