-- +goose Up
-- center_stats are the network's figures (/supervise, GET /api/v1/stats/centers), kept as cases
-- move, like case_stats: one line per day of submission (in the center's time zone), accepting
-- center (accepted_center) and deciding region (deciding_region), with how many cases were
-- submitted that day and where they stand now. A change of a case appends its move to
-- center_stats_delta in its transaction; cases.FoldStats adds the rows to the day and month
-- lines; reads add the rows not yet folded (cases/centerstats.go). Bundles' parents are left out.
-- Existing cases are counted here, their days read in China Standard Time.
CREATE TABLE center_stats (
    day             TEXT NOT NULL,
    accepted_center TEXT NOT NULL,
    deciding_region TEXT NOT NULL,
    submitted       INTEGER NOT NULL,
    in_progress     INTEGER NOT NULL,
    decided         INTEGER NOT NULL,
    rejected        INTEGER NOT NULL,
    on_time         INTEGER NOT NULL,
    late            INTEGER NOT NULL,
    PRIMARY KEY (day, accepted_center, deciding_region)
);
CREATE TABLE center_stats_month (
    month           TEXT NOT NULL,
    accepted_center TEXT NOT NULL,
    deciding_region TEXT NOT NULL,
    submitted       INTEGER NOT NULL,
    in_progress     INTEGER NOT NULL,
    decided         INTEGER NOT NULL,
    rejected        INTEGER NOT NULL,
    on_time         INTEGER NOT NULL,
    late            INTEGER NOT NULL,
    PRIMARY KEY (month, accepted_center, deciding_region)
);
-- No key and no index: rows are only appended, and the table holds a few seconds' worth.
CREATE TABLE center_stats_delta (
    day             TEXT NOT NULL,
    accepted_center TEXT NOT NULL,
    deciding_region TEXT NOT NULL,
    submitted       INTEGER NOT NULL,
    in_progress     INTEGER NOT NULL,
    decided         INTEGER NOT NULL,
    rejected        INTEGER NOT NULL,
    on_time         INTEGER NOT NULL,
    late            INTEGER NOT NULL
);
INSERT INTO center_stats (day, accepted_center, deciding_region, submitted, in_progress, decided, rejected, on_time, late)
SELECT date(substr(submitted_at, 1, 19), '+8 hours'), accepted_center, deciding_region, COUNT(*),
    SUM(CASE WHEN status IN ('submitted', 'correction', 'accepted', 'suspended') THEN 1 ELSE 0 END),
    SUM(CASE WHEN status IN ('decided', 'delivered') THEN 1 ELSE 0 END),
    SUM(CASE WHEN status IN ('rejected', 'withdrawn', 'terminated') THEN 1 ELSE 0 END),
    SUM(CASE WHEN decided_on IS NOT NULL AND due IS NOT NULL AND decided_on <= due THEN 1 ELSE 0 END),
    SUM(CASE WHEN decided_on IS NOT NULL AND due IS NOT NULL AND decided_on > due THEN 1 ELSE 0 END)
FROM cases WHERE bundle_code IS NULL OR parent_number IS NOT NULL
GROUP BY 1, 2, 3;
INSERT INTO center_stats_month (month, accepted_center, deciding_region, submitted, in_progress, decided, rejected, on_time, late)
SELECT substr(day, 1, 7), accepted_center, deciding_region, SUM(submitted), SUM(in_progress), SUM(decided), SUM(rejected), SUM(on_time), SUM(late)
FROM center_stats GROUP BY 1, 2, 3;

-- +goose Down
DROP TABLE center_stats_delta;
DROP TABLE center_stats_month;
DROP TABLE center_stats;
