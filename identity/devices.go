package identity

import (
	"context"
	"database/sql"
	"time"

	"banhao/store"
)

// KnownDeviceTTL is how long a browser stays known to a name (or a number) after the sign-in
// that gave it its token.
const KnownDeviceTTL = 365 * 24 * time.Hour

type queryRower interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// knownDevice reports whether a browser's token was handed to owner (a staff name, or a
// citizen's number by its keyed hash) by a sign-in within KnownDeviceTTL. Such a browser does not
// wait on the owner's shared failure bucket, only on a small one of its own.
func knownDevice(ctx context.Context, q queryRower, owner, device string, now time.Time) (bool, error) {
	if device == "" {
		return false, nil
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM known_devices WHERE token_hash = ? AND username = ? AND created_at > ?`,
		TokenHash(device), owner, now.UTC().Add(-KnownDeviceTTL)).Scan(&n)
	return n > 0, err
}

// rememberDevice hands the browser of a successful sign-in a new known-device token for owner,
// inside the sign-in's transaction; only its hash is kept.
func rememberDevice(ctx context.Context, tx *store.Tx, owner string, now time.Time) (string, error) {
	token := NewToken()
	_, err := tx.ExecContext(ctx, `INSERT INTO known_devices (token_hash, username, created_at) VALUES (?, ?, ?)`, TokenHash(token), owner, now.UTC())
	return token, err
}
