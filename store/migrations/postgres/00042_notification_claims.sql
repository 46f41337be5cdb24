-- +goose Up
-- A message is claimed (claimed_by, claimed_at) by the job that is about to hand it to its channel,
-- in one conditional UPDATE, so two jobs racing for it send it once (notify.Outbox.Send); a claim
-- older than notify.ClaimTimeout is a crashed sender's and is taken over.
ALTER TABLE notifications ADD COLUMN claimed_by TEXT;
ALTER TABLE notifications ADD COLUMN claimed_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE notifications DROP COLUMN claimed_at;
ALTER TABLE notifications DROP COLUMN claimed_by;
