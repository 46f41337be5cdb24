-- +goose Up
-- Window authorisations (issue 16, 即办 一柜办结): a clerk may decide at the window the 即办
-- items of one item (item_code) or of a whole department (item_code ''), from starts_on to
-- ends_on (days, inclusive), as 首席代表 (kind 'chief') or 授权窗口 ('window'). Granted by the
-- department's approver or an admin; revoked, never deleted.
CREATE TABLE window_grants (
    id              BIGSERIAL PRIMARY KEY,
    username        TEXT NOT NULL,
    department_code TEXT NOT NULL,
    item_code       TEXT NOT NULL DEFAULT '',
    kind            TEXT NOT NULL,
    starts_on       TEXT NOT NULL,
    ends_on         TEXT NOT NULL,
    granted_by      TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    revoked_at      TIMESTAMPTZ,
    revoked_by      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX window_grants_user ON window_grants(username);
CREATE INDEX window_grants_department ON window_grants(department_code);

-- +goose Down
DROP TABLE window_grants;
