-- +goose Up
-- decided_on is the day (in the center's time zone) a case was decided: with due it tells whether
-- the promise was kept (按时办结). Cases decided before this column existed take the day of their
-- "decide" timeline entry (stored in UTC), read in China Standard Time.
ALTER TABLE cases ADD COLUMN decided_on TEXT;
UPDATE cases SET decided_on = (
    SELECT date(substr(MAX(e.at), 1, 19), '+8 hours') FROM case_events e
    WHERE e.case_number = cases.number AND e.action = 'decide')
WHERE status IN ('decided', 'delivered');

-- +goose Down
ALTER TABLE cases DROP COLUMN decided_on;
