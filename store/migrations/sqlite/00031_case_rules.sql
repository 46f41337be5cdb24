-- +goose Up
-- 秒批 (issue 16): the outcome of an item's rules on a case, written in the transaction that
-- submits or accepts it (cases/autodecide.go): approved ('approve', the rules that held in
-- passed) or handed to a person ('manual', the failed rules with their messages in failed,
-- shown in the approver's queue and on the case page). One row per case; evaluated_on is the
-- day the 秒批率 of /supervise counts it on.
CREATE TABLE case_rule_results (
    case_number     TEXT PRIMARY KEY REFERENCES cases(number),
    item_code       TEXT NOT NULL,
    item_version    INTEGER NOT NULL,
    department_code TEXT NOT NULL,
    outcome         TEXT NOT NULL,
    passed          TEXT NOT NULL,
    failed          TEXT NOT NULL,
    evaluated_on    TEXT NOT NULL,
    evaluated_at    TIMESTAMP NOT NULL
);
CREATE INDEX case_rule_results_day ON case_rule_results(evaluated_on);

-- +goose Down
DROP TABLE case_rule_results;
