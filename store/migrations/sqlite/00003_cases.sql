-- +goose Up
-- files are uploaded documents, stored by content hash under DATA_DIR/files.
CREATE TABLE files (
    id           TEXT PRIMARY KEY,
    sha256       TEXT NOT NULL,
    size         BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    name         TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL
);

-- case_counters hands out case numbers: one row per region and day, incremented in the
-- creating transaction, so numbers are unique across nodes.
CREATE TABLE case_counters (
    prefix TEXT PRIMARY KEY,
    n      BIGINT NOT NULL
);

CREATE TABLE cases (
    number              TEXT PRIMARY KEY,
    item_code           TEXT NOT NULL,
    item_version        INTEGER NOT NULL,
    item_name           TEXT NOT NULL,
    department_code     TEXT NOT NULL,
    region_code         TEXT NOT NULL,
    bundle_code         TEXT,
    parent_number       TEXT REFERENCES cases(number),
    status              TEXT NOT NULL,
    channel             TEXT NOT NULL,
    applicant_type      TEXT NOT NULL,
    applicant_name      TEXT NOT NULL,
    applicant_id_enc    TEXT NOT NULL,
    applicant_id_idx    TEXT NOT NULL,
    applicant_phone_enc TEXT NOT NULL,
    applicant_phone_idx TEXT NOT NULL,
    form                TEXT NOT NULL DEFAULT '{}',
    missing             TEXT NOT NULL DEFAULT '[]',
    limit_value         INTEGER NOT NULL,
    limit_unit          TEXT NOT NULL,
    accepted_on         TEXT,
    paused_days         INTEGER NOT NULL DEFAULT 0,
    extended_days       INTEGER NOT NULL DEFAULT 0,
    suspended_on        TEXT,
    suspend_kind        TEXT NOT NULL DEFAULT '',
    due                 TEXT,
    yellow_from         TEXT,
    red_from            TEXT,
    decision            TEXT NOT NULL DEFAULT '',
    decision_reason     TEXT NOT NULL DEFAULT '',
    reject_reason       TEXT NOT NULL DEFAULT '',
    reject_basis        TEXT NOT NULL DEFAULT '',
    delivery_method     TEXT NOT NULL DEFAULT '',
    tracking_number     TEXT NOT NULL DEFAULT '',
    assignee            TEXT NOT NULL DEFAULT '',
    idempotency_key     TEXT UNIQUE,
    request_hash        TEXT NOT NULL DEFAULT '',
    created_by          TEXT NOT NULL,
    submitted_at        TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
CREATE INDEX cases_department_status ON cases(department_code, status, due);
CREATE INDEX cases_status_due ON cases(status, due);
CREATE INDEX cases_applicant ON cases(applicant_id_idx);
CREATE INDEX cases_parent ON cases(parent_number);

CREATE TABLE case_events (
    id          INTEGER PRIMARY KEY,
    case_number TEXT NOT NULL REFERENCES cases(number),
    at          TIMESTAMP NOT NULL,
    action      TEXT NOT NULL,
    actor       TEXT NOT NULL,
    role        TEXT NOT NULL,
    status      TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_events_case ON case_events(case_number, id);

CREATE TABLE case_materials (
    case_number    TEXT NOT NULL REFERENCES cases(number),
    material_id    TEXT NOT NULL,
    file_id        TEXT REFERENCES files(id),
    certificate_id TEXT,
    supplied_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (case_number, material_id)
);

-- case_deferred are the 容缺 commitments: a deferrable material promised by a date.
CREATE TABLE case_deferred (
    case_number TEXT NOT NULL REFERENCES cases(number),
    material_id TEXT NOT NULL,
    due         TEXT NOT NULL,
    supplied_at TIMESTAMP,
    PRIMARY KEY (case_number, material_id)
);

-- notices are the printed documents; their code is what the QR code verifies.
CREATE TABLE notices (
    code        TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    case_number TEXT NOT NULL REFERENCES cases(number),
    issued_on   TEXT NOT NULL,
    issuer      TEXT NOT NULL,
    holder      TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX notices_case ON notices(case_number);

-- +goose Down
DROP TABLE notices;
DROP TABLE case_deferred;
DROP TABLE case_materials;
DROP TABLE case_events;
DROP TABLE cases;
DROP TABLE case_counters;
DROP TABLE files;
