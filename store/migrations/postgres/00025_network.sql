-- +goose Up
-- The 市县乡 network (issue 15). regions is the tree of area codes (GB/T 2260 for the first six
-- digits, then 乡 and 村); a center belongs to one region. Existing rows of a one-center
-- installation are filled with the single center's values: the main center is the one of the
-- highest level (市 before 县 before 乡), ties by code (network.MainCenter says the same).
CREATE TABLE regions (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL,
    parent_code TEXT NOT NULL DEFAULT '',
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX regions_parent ON regions(parent_code);

ALTER TABLE centers ADD COLUMN hours TEXT NOT NULL DEFAULT '';
ALTER TABLE centers ADD COLUMN lat DOUBLE PRECISION;
ALTER TABLE centers ADD COLUMN lng DOUBLE PRECISION;
CREATE INDEX centers_region ON centers(region_code);

-- A department belongs to a region; kind says which department it is across regions (the
-- county's 公安局 has the city's kind, a code of its own), once per region.
ALTER TABLE departments ADD COLUMN kind TEXT NOT NULL DEFAULT '';
UPDATE departments SET kind = code;
UPDATE departments SET region_code = COALESCE((SELECT region_code FROM centers
    ORDER BY CASE level WHEN '省' THEN 0 WHEN '市' THEN 1 WHEN '县' THEN 2 WHEN '乡' THEN 3 ELSE 4 END, code LIMIT 1), '')
    WHERE region_code = '';
CREATE UNIQUE INDEX departments_region_kind ON departments(region_code, kind) WHERE kind <> '';

-- 通办范围 and 行使层级 of an item's head (the version's document carries them too).
ALTER TABLE items ADD COLUMN tongban TEXT NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN level TEXT NOT NULL DEFAULT '';
UPDATE items SET tongban = 'city' WHERE EXISTS (SELECT 1 FROM item_versions v
    WHERE v.code = items.code AND v.version = items.latest_version AND (v.doc::jsonb ->> 'citywide') = 'true');

-- Where a case was accepted, which region decides it, where its result is handed out.
ALTER TABLE cases ADD COLUMN accepted_center TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN deciding_region TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN delivery_center TEXT NOT NULL DEFAULT '';
UPDATE cases SET
    accepted_center = COALESCE((SELECT code FROM centers
        ORDER BY CASE level WHEN '省' THEN 0 WHEN '市' THEN 1 WHEN '县' THEN 2 WHEN '乡' THEN 3 ELSE 4 END, code LIMIT 1), ''),
    delivery_center = COALESCE((SELECT code FROM centers
        ORDER BY CASE level WHEN '省' THEN 0 WHEN '市' THEN 1 WHEN '县' THEN 2 WHEN '乡' THEN 3 ELSE 4 END, code LIMIT 1), ''),
    deciding_region = CASE WHEN region_code <> '' THEN region_code ELSE COALESCE((SELECT region_code FROM centers
        ORDER BY CASE level WHEN '省' THEN 0 WHEN '市' THEN 1 WHEN '县' THEN 2 WHEN '乡' THEN 3 ELSE 4 END, code LIMIT 1), '') END;

-- A staff account belongs to a center.
ALTER TABLE users ADD COLUMN center_code TEXT NOT NULL DEFAULT '';
UPDATE users SET center_code = COALESCE((SELECT code FROM centers
    ORDER BY CASE level WHEN '省' THEN 0 WHEN '市' THEN 1 WHEN '县' THEN 2 WHEN '乡' THEN 3 ELSE 4 END, code LIMIT 1), '');

-- +goose Down
ALTER TABLE users DROP COLUMN center_code;
ALTER TABLE cases DROP COLUMN delivery_center;
ALTER TABLE cases DROP COLUMN deciding_region;
ALTER TABLE cases DROP COLUMN accepted_center;
ALTER TABLE items DROP COLUMN level;
ALTER TABLE items DROP COLUMN tongban;
DROP INDEX departments_region_kind;
ALTER TABLE departments DROP COLUMN kind;
DROP INDEX centers_region;
ALTER TABLE centers DROP COLUMN lng;
ALTER TABLE centers DROP COLUMN lat;
ALTER TABLE centers DROP COLUMN hours;
DROP TABLE regions;
