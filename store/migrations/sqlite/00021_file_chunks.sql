-- +goose Up
-- file_chunks keeps uploaded bytes in the database itself (BANHAO_FILES=db, the default on
-- PostgreSQL), so that every node reads what any node received: once per SHA-256, in chunks of
-- at most 1 MiB (chunk n holds the bytes from n MiB), written in the upload's transaction and
-- read one chunk per query (package files, chunks.go).
CREATE TABLE file_chunks (
    sha256 TEXT NOT NULL,
    n      INTEGER NOT NULL,
    data   BLOB NOT NULL,
    PRIMARY KEY (sha256, n)
);

-- +goose Down
DROP TABLE file_chunks;
