-- +goose Up
-- certificate_types are the kinds of 电子证照 the center issues or holds: the code goes into
-- each certificate's GB/T 36904 identifier, the name is what items' materials ask for.
CREATE TABLE certificate_types (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    holder_kind TEXT NOT NULL,
    valid_years INTEGER NOT NULL DEFAULT 0,
    updated_at  TIMESTAMP NOT NULL
);

-- certificates is the library: one row per certificate, issued by a case or imported. The
-- holder's identity number is encrypted; holder_id_idx is its keyed hash for lookups.
CREATE TABLE certificates (
    id            TEXT PRIMARY KEY,
    type_code     TEXT NOT NULL REFERENCES certificate_types(code),
    number        TEXT NOT NULL,
    holder_kind   TEXT NOT NULL,
    holder_name   TEXT NOT NULL,
    holder_id_enc TEXT NOT NULL,
    holder_id_idx TEXT NOT NULL,
    issuer_code   TEXT NOT NULL,
    issuer_name   TEXT NOT NULL,
    issued_on     TEXT NOT NULL,
    expires_on    TEXT,
    data          TEXT NOT NULL DEFAULT '{}',
    status        TEXT NOT NULL,
    revoked_at    TIMESTAMP,
    revoke_reason TEXT NOT NULL DEFAULT '',
    case_number   TEXT,
    source        TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX certificates_holder ON certificates(holder_id_idx, issued_on);
CREATE UNIQUE INDEX certificates_type_number ON certificates(type_code, number);

-- data_access is the citizen's record of who read their certificates or personal data, for
-- which case and purpose (谁查看了我的数据). Append-only like the audit log.
CREATE TABLE data_access (
    id          INTEGER PRIMARY KEY,
    subject_idx TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    object_name TEXT NOT NULL,
    actor       TEXT NOT NULL,
    actor_role  TEXT NOT NULL,
    department  TEXT NOT NULL DEFAULT '',
    case_number TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    at          TIMESTAMP NOT NULL
);
CREATE INDEX data_access_subject ON data_access(subject_idx, at);
-- +goose StatementBegin
CREATE TRIGGER data_access_no_update BEFORE UPDATE ON data_access
BEGIN SELECT RAISE(ABORT, 'data_access is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER data_access_no_delete BEFORE DELETE ON data_access
BEGIN SELECT RAISE(ABORT, 'data_access is append-only'); END;
-- +goose StatementEnd

-- applicants are citizens' and organisations' accounts; they sign in with one-time codes.
CREATE TABLE applicants (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    id_enc     TEXT NOT NULL,
    id_idx     TEXT NOT NULL UNIQUE,
    phone_enc  TEXT NOT NULL,
    legal_rep  TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);

-- applicant_codes are one-time sign-in codes (hashed), with their attempts.
CREATE TABLE applicant_codes (
    id           INTEGER PRIMARY KEY,
    applicant_id INTEGER NOT NULL REFERENCES applicants(id),
    code_hash    TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    used_at      TIMESTAMP
);
CREATE INDEX applicant_codes_applicant ON applicant_codes(applicant_id, created_at);

CREATE TABLE applicant_sessions (
    token_hash   TEXT PRIMARY KEY,
    applicant_id INTEGER NOT NULL REFERENCES applicants(id),
    acting_for   INTEGER REFERENCES applicants(id),
    channel      TEXT NOT NULL,
    csrf         TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);

-- authorisations let an agent (代办) act for an organisation: a scope of items ('*' = all) and
-- an end date.
CREATE TABLE authorisations (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES applicants(id),
    agent_id   INTEGER NOT NULL REFERENCES applicants(id),
    scope      TEXT NOT NULL,
    ends_on    TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX authorisations_agent ON authorisations(agent_id);

-- drafts are online applications saved before submission; purged after a configured age.
CREATE TABLE drafts (
    id           INTEGER PRIMARY KEY,
    applicant_id INTEGER NOT NULL REFERENCES applicants(id),
    item_code    TEXT NOT NULL,
    doc          TEXT NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX drafts_applicant ON drafts(applicant_id);
CREATE INDEX drafts_updated ON drafts(updated_at);

-- the certificate an approved case issued (its identifier).
ALTER TABLE cases ADD COLUMN result_certificate TEXT;

-- +goose Down
ALTER TABLE cases DROP COLUMN result_certificate;
DROP TABLE drafts;
DROP TABLE authorisations;
DROP TABLE applicant_sessions;
DROP TABLE applicant_codes;
DROP TABLE applicants;
DROP TABLE data_access;
DROP TABLE certificates;
DROP TABLE certificate_types;
