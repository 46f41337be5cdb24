-- +goose Up
-- 材料流转 (issue 15): the paper a 收受分离 case sends between centers. One row per hand-off of a
-- case: its materials from the accepting center to the deciding region's center, its result from
-- there to the center where it is handed out. pending (待寄出) → sent (已寄出, with the batch or
-- tracking note) → received (已签收). Written with the case (cases/transfers.go).
CREATE TABLE case_transfers (
    id          INTEGER PRIMARY KEY,
    case_number TEXT NOT NULL REFERENCES cases(number),
    kind        TEXT NOT NULL,
    from_center TEXT NOT NULL,
    to_center   TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    batch       TEXT NOT NULL DEFAULT '',
    sent_by     TEXT NOT NULL DEFAULT '',
    sent_at     TIMESTAMP,
    received_by TEXT NOT NULL DEFAULT '',
    received_at TIMESTAMP,
    UNIQUE (case_number, kind)
);
CREATE INDEX case_transfers_from ON case_transfers(from_center, status, id);
CREATE INDEX case_transfers_to ON case_transfers(to_center, status, id);

-- 收件核验: the accepting center's clerk signed off the originals of a case's material, so the
-- deciding department does not ask for them again. One row per material, written once.
CREATE TABLE case_originals (
    case_number TEXT NOT NULL REFERENCES cases(number),
    material_id TEXT NOT NULL,
    center      TEXT NOT NULL,
    checked_by  TEXT NOT NULL,
    checked_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (case_number, material_id)
);

-- +goose Down
DROP TABLE case_originals;
DROP INDEX case_transfers_to;
DROP INDEX case_transfers_from;
DROP TABLE case_transfers;
