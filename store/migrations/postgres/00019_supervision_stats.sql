-- +goose Up
-- case_stats are the supervisors' figures (/supervise, GET /api/v1/stats/cases), kept as cases
-- move: one line per day of submission (in the center's time zone), department and item, with
-- how many cases were submitted that day and where they stand now. Each change of a case moves
-- its count in the same transaction (cases/stats.go); a period is a sum of lines. Bundles'
-- parents are left out (their children count). Existing cases are counted here, their days read
-- in China Standard Time (the default BANHAO_TZ).
CREATE TABLE case_stats (
    day             TEXT NOT NULL,
    department_code TEXT NOT NULL,
    item_code       TEXT NOT NULL,
    item_name       TEXT NOT NULL,
    submitted       INTEGER NOT NULL,
    in_progress     INTEGER NOT NULL,
    decided         INTEGER NOT NULL,
    rejected        INTEGER NOT NULL,
    on_time         INTEGER NOT NULL,
    late            INTEGER NOT NULL,
    PRIMARY KEY (day, department_code, item_code)
);
-- case_stats_month are the same lines per month (month "2026-03"): a long period reads whole months
-- and, at its ends, days (cases.Pieces).
CREATE TABLE case_stats_month (
    month           TEXT NOT NULL,
    department_code TEXT NOT NULL,
    item_code       TEXT NOT NULL,
    item_name       TEXT NOT NULL,
    submitted       INTEGER NOT NULL,
    in_progress     INTEGER NOT NULL,
    decided         INTEGER NOT NULL,
    rejected        INTEGER NOT NULL,
    on_time         INTEGER NOT NULL,
    late            INTEGER NOT NULL,
    PRIMARY KEY (month, department_code, item_code)
);
INSERT INTO case_stats (day, department_code, item_code, item_name, submitted, in_progress, decided, rejected, on_time, late)
SELECT to_char(submitted_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD'), department_code, item_code, MAX(item_name), COUNT(*),
    SUM(CASE WHEN status IN ('submitted', 'correction', 'accepted', 'suspended') THEN 1 ELSE 0 END),
    SUM(CASE WHEN status IN ('decided', 'delivered') THEN 1 ELSE 0 END),
    SUM(CASE WHEN status IN ('rejected', 'withdrawn', 'terminated') THEN 1 ELSE 0 END),
    SUM(CASE WHEN decided_on IS NOT NULL AND due IS NOT NULL AND decided_on <= due THEN 1 ELSE 0 END),
    SUM(CASE WHEN decided_on IS NOT NULL AND due IS NOT NULL AND decided_on > due THEN 1 ELSE 0 END)
FROM cases WHERE bundle_code IS NULL OR parent_number IS NOT NULL
GROUP BY 1, 2, 3;
INSERT INTO case_stats_month (month, department_code, item_code, item_name, submitted, in_progress, decided, rejected, on_time, late)
SELECT substr(day, 1, 7), department_code, item_code, MAX(item_name), SUM(submitted), SUM(in_progress), SUM(decided), SUM(rejected), SUM(on_time), SUM(late)
FROM case_stats GROUP BY 1, 2, 3;

-- Yellow and red depend on today: they are counted from the accepted cases already warned.
CREATE INDEX cases_warning ON cases(yellow_from, submitted_at, department_code, item_code, red_from)
    WHERE status = 'accepted' AND (bundle_code IS NULL OR parent_number IS NOT NULL);

-- rating_stats are the ratings per day given (center's time zone) and department
-- (GET /api/v1/stats/ratings), kept by ratings.Rate and FollowUp.
CREATE TABLE rating_stats (
    day             TEXT NOT NULL,
    department_code TEXT NOT NULL,
    ratings         INTEGER NOT NULL,
    good            INTEGER NOT NULL,
    bad             INTEGER NOT NULL,
    followed_up     INTEGER NOT NULL,
    level_sum       INTEGER NOT NULL,
    PRIMARY KEY (day, department_code)
);
INSERT INTO rating_stats (day, department_code, ratings, good, bad, followed_up, level_sum)
SELECT to_char(created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD'), department_code, COUNT(*),
    SUM(CASE WHEN level >= 4 THEN 1 ELSE 0 END), SUM(CASE WHEN level <= 2 THEN 1 ELSE 0 END),
    SUM(CASE WHEN level <= 2 AND followed_at IS NOT NULL THEN 1 ELSE 0 END), SUM(level)
FROM ratings GROUP BY 1, 2;

-- +goose Down
DROP TABLE rating_stats;
DROP INDEX cases_warning;
DROP TABLE case_stats_month;
DROP TABLE case_stats;
