-- +goose Up
-- The catalog counts the cases made for each item and bundle when its search snapshot loads
-- (search ties go to the more applied-for item); these indexes keep that count an index scan.
CREATE INDEX cases_item ON cases(item_code);
CREATE INDEX cases_bundle ON cases(bundle_code, parent_number);

-- +goose Down
DROP INDEX cases_bundle;
DROP INDEX cases_item;
