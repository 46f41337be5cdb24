-- +goose Up
-- 告知承诺 (issue 16). case_commitments: the 承诺书 a case was approved on — the text as the
-- applicant signed it, who signed, how (online: ticked and typed their name; window: on paper
-- or the signing pad, recorded by the clerk) and when; written once, never changed.
CREATE TABLE case_commitments (
    case_number TEXT PRIMARY KEY,
    text        TEXT NOT NULL,
    signer      TEXT NOT NULL,
    signed_via  TEXT NOT NULL,
    signed_at   TIMESTAMP NOT NULL,
    recorded_by TEXT NOT NULL
);
-- +goose StatementBegin
CREATE TRIGGER case_commitments_no_update BEFORE UPDATE ON case_commitments
BEGIN SELECT RAISE(ABORT, 'case_commitments is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER case_commitments_no_delete BEFORE DELETE ON case_commitments
BEGIN SELECT RAISE(ABORT, 'case_commitments is append-only'); END;
-- +goose StatementEnd

-- post_checks: the 事后核查 of a case approved on a commitment, due (a day) within the item's
-- working days; open until the department's approver records it true (属实) or false (不实).
CREATE TABLE post_checks (
    case_number     TEXT PRIMARY KEY,
    department_code TEXT NOT NULL,
    item_code       TEXT NOT NULL,
    item_name       TEXT NOT NULL,
    applicant_name  TEXT NOT NULL,
    created_on      TEXT NOT NULL,
    due             TEXT NOT NULL,
    status          TEXT NOT NULL,
    checked_on      TEXT,
    checked_by      TEXT NOT NULL DEFAULT '',
    note            TEXT NOT NULL DEFAULT ''
);
CREATE INDEX post_checks_department ON post_checks(department_code, status, due);
CREATE INDEX post_checks_due ON post_checks(due);

-- credit_records: 信用记录, one per false commitment: the applicant (by the keyed hash of their
-- ID, and their name), the case, the reason and the day; written once, never changed.
CREATE TABLE credit_records (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    applicant_idx   TEXT NOT NULL,
    applicant_name  TEXT NOT NULL,
    case_number     TEXT NOT NULL,
    item_name       TEXT NOT NULL,
    department_code TEXT NOT NULL,
    reason          TEXT NOT NULL,
    recorded_on     TEXT NOT NULL,
    recorded_by     TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX credit_records_applicant ON credit_records(applicant_idx, recorded_on);
-- +goose StatementBegin
CREATE TRIGGER credit_records_no_update BEFORE UPDATE ON credit_records
BEGIN SELECT RAISE(ABORT, 'credit_records is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER credit_records_no_delete BEFORE DELETE ON credit_records
BEGIN SELECT RAISE(ABORT, 'credit_records is append-only'); END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE credit_records;
DROP TABLE post_checks;
DROP TABLE case_commitments;
