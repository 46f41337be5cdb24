-- +goose Up
-- A recipient's messages on a channel are sent in the order they were written (notify.Outbox.Send):
-- before one is sent, the earlier ones still pending to the same recipient are looked up here.
CREATE INDEX notifications_pending ON notifications(channel, recipient, id) WHERE sent_at IS NULL AND expired_at IS NULL;

-- +goose Down
DROP INDEX notifications_pending;
