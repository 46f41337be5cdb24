-- +goose Up
-- known_devices are the browsers a staff member has signed in on before (a random token in a
-- cookie; only its SHA-256 is kept). Sign-in from one of them does not wait on the name's own
-- failure bucket, so a guess spread over many addresses cannot shut the owner out.
CREATE TABLE known_devices (
    token_hash TEXT PRIMARY KEY,
    username   TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX known_devices_username ON known_devices(username);

-- +goose Down
DROP TABLE known_devices;
