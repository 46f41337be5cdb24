-- +goose Up
-- 出件地 (issue 15): whether the applicant chose where to collect the result (1) or took the
-- channel's default (0: the accepting center at a window or kiosk, the deciding region's center
-- online). A chosen center other than the deciding one opens the result's paper hand-off
-- (cases/transfers.go) whatever the channel; cases before this column read as not chosen.
ALTER TABLE cases ADD COLUMN delivery_chosen INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE cases DROP COLUMN delivery_chosen;
