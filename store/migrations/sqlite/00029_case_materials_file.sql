-- +goose Up
-- Intake refuses a file that is already a material of another applicant's case
-- (cases.storedFiles): it looks materials up by file.
CREATE INDEX case_materials_file ON case_materials(file_id);

-- The main center is explicit and stable (network.MainCenter): the first center written gets
-- is_main; an installation's existing main center (the old order: highest level, then code)
-- keeps it. At most one.
ALTER TABLE centers ADD COLUMN is_main INTEGER NOT NULL DEFAULT 0;
UPDATE centers SET is_main = 1 WHERE code = (SELECT code FROM centers ORDER BY
    CASE level WHEN '省' THEN 0 WHEN '市' THEN 1 WHEN '县' THEN 2 WHEN '乡' THEN 3 ELSE 4 END, code LIMIT 1);
CREATE UNIQUE INDEX centers_main ON centers(is_main) WHERE is_main = 1;

-- +goose Down
DROP INDEX centers_main;
ALTER TABLE centers DROP COLUMN is_main;
DROP INDEX case_materials_file;
