-- +goose Up
-- rate_buckets are token buckets shared by every node: sign-in failures per name and per client
-- address, one-time code requests per address. tokens is the level at "at"; it refills with time.
CREATE TABLE rate_buckets (
    key    TEXT PRIMARY KEY,
    tokens DOUBLE PRECISION NOT NULL,
    at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX rate_buckets_at ON rate_buckets(at);

-- +goose Down
DROP TABLE rate_buckets;
