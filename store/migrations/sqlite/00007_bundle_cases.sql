-- +goose Up
-- stage is the bundle stage a child case belongs to (stages run in order).
ALTER TABLE cases ADD COLUMN stage INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE cases DROP COLUMN stage;
