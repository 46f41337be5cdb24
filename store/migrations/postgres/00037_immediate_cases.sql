-- +goose Up
-- 即办率 (issue 16): the cases of 即办 items (the item version the case was made under), one row
-- written in the transaction that accepts the case (cases/immediate.go), with the day it was
-- accepted. /supervise counts, for the days of a period, how many of them were decided on the
-- day of acceptance (cases.decided_on, read by key): a bounded range of this index and one
-- lookup per row, exact for any period of whole days on both engines. Bundles' parents are
-- left out (their members count).
CREATE TABLE immediate_cases (
    case_number     TEXT PRIMARY KEY REFERENCES cases(number),
    department_code TEXT NOT NULL,
    item_code       TEXT NOT NULL,
    accepted_on     TEXT NOT NULL
);
CREATE INDEX immediate_cases_day ON immediate_cases(accepted_on);

-- The cases of 即办 items accepted before this table.
INSERT INTO immediate_cases (case_number, department_code, item_code, accepted_on)
SELECT c.number, c.department_code, c.item_code, c.accepted_on
FROM cases c JOIN item_versions v ON v.code = c.item_code AND v.version = c.item_version
WHERE c.accepted_on IS NOT NULL AND (v.doc::jsonb ->> 'handling_mode') = 'immediate';

-- +goose Down
DROP TABLE immediate_cases;
