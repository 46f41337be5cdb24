-- +goose Up
-- An appointment's code is what a person reads and says at the desk (A1204-07: the queue line's
-- prefix, the day, the booking's number that day); the id stays the appointment's address.
ALTER TABLE appointments ADD COLUMN code TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE appointments DROP COLUMN code;
