-- +goose Up
-- immediate_cases is keyed by its case number: stored WITHOUT ROWID, the table is its primary
-- key's b-tree, so the row written at each acceptance of a 即办 case goes into one b-tree and
-- the day index instead of the rowid table, its primary key index and the day index (issue 13:
-- SQLite's one writer). Same columns, same key, same index; PostgreSQL has no rowid (00043 is
-- empty there).
CREATE TABLE immediate_cases_new (
    case_number     TEXT PRIMARY KEY REFERENCES cases(number),
    department_code TEXT NOT NULL,
    item_code       TEXT NOT NULL,
    accepted_on     TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO immediate_cases_new (case_number, department_code, item_code, accepted_on)
SELECT case_number, department_code, item_code, accepted_on FROM immediate_cases;
DROP TABLE immediate_cases;
ALTER TABLE immediate_cases_new RENAME TO immediate_cases;
CREATE INDEX immediate_cases_day ON immediate_cases(accepted_on);

-- +goose Down
CREATE TABLE immediate_cases_old (
    case_number     TEXT PRIMARY KEY REFERENCES cases(number),
    department_code TEXT NOT NULL,
    item_code       TEXT NOT NULL,
    accepted_on     TEXT NOT NULL
);
INSERT INTO immediate_cases_old (case_number, department_code, item_code, accepted_on)
SELECT case_number, department_code, item_code, accepted_on FROM immediate_cases;
DROP TABLE immediate_cases;
ALTER TABLE immediate_cases_old RENAME TO immediate_cases;
CREATE INDEX immediate_cases_day ON immediate_cases(accepted_on);
