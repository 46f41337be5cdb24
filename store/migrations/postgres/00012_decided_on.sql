-- +goose Up
-- decided_on is the day (in the center's time zone) a case was decided: with due it tells whether
-- the promise was kept (按时办结). Cases decided before this column existed take the day of their
-- "decide" timeline entry, read in China Standard Time.
ALTER TABLE cases ADD COLUMN decided_on TEXT;
UPDATE cases SET decided_on = d.day
FROM (SELECT case_number, to_char(MAX(at) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS day
      FROM case_events WHERE action = 'decide' GROUP BY case_number) d
WHERE d.case_number = cases.number;

-- +goose Down
ALTER TABLE cases DROP COLUMN decided_on;
