-- +goose Up
-- reminded records how far a dispatched ticket's reply limit has been warned about: 1 the working
-- day before it is due (the department), 2 once it is overdue (the department and the
-- supervisors). A new dispatch starts again at 0.
ALTER TABLE hotline_tickets ADD COLUMN reminded INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE hotline_tickets DROP COLUMN reminded;
