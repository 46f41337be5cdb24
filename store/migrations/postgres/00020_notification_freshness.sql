-- +goose Up
-- A message past expires_at (a hall call, a sign-in code) is marked expired_at and never sent.
ALTER TABLE notifications ADD COLUMN expires_at TIMESTAMPTZ;
ALTER TABLE notifications ADD COLUMN expired_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE notifications DROP COLUMN expired_at;
ALTER TABLE notifications DROP COLUMN expires_at;
