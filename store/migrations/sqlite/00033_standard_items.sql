-- +goose Up
-- 清单标准全域统一: an implementing item (实施清单) of a region derives from the city's standard
-- item; standard_code names it ('' for a standard or a stand-alone item). A new standard
-- version reaches every derived item as a draft (catalog.Service, derive.go).
ALTER TABLE items ADD COLUMN standard_code TEXT NOT NULL DEFAULT '';
CREATE INDEX items_standard ON items(standard_code, region_code);

-- +goose Down
DROP INDEX items_standard;
ALTER TABLE items DROP COLUMN standard_code;
