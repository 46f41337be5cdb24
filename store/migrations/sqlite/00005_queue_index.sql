-- +goose Up
-- A department's queue reads (department, status) in due order, ties by number: all from the index.
DROP INDEX cases_department_status;
CREATE INDEX cases_queue ON cases(department_code, status, due, number);

-- +goose Down
DROP INDEX cases_queue;
CREATE INDEX cases_department_status ON cases(department_code, status, due);
