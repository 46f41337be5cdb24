-- +goose Up
-- Intake refuses a file that is already a material of another applicant's case
-- (cases.storedFiles): it looks materials up by file.
CREATE INDEX case_materials_file ON case_materials(file_id);

-- +goose Down
DROP INDEX case_materials_file;
