-- +goose Up
-- bundles (一件事) are versioned like items: the head says what is current and what is public.
CREATE TABLE bundles (
    code              TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    status            TEXT NOT NULL,
    latest_version    INTEGER NOT NULL,
    published_version INTEGER,
    updated_at        TIMESTAMP NOT NULL
);

CREATE TABLE bundle_versions (
    code       TEXT NOT NULL REFERENCES bundles(code),
    version    INTEGER NOT NULL,
    status     TEXT NOT NULL,
    doc        TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (code, version)
);

-- +goose Down
DROP TABLE bundle_versions;
DROP TABLE bundles;
