package jobs

import (
	"context"

	"github.com/riverqueue/river"

	"banhao/store"
)

// RiverInsertTx inserts jobs with River's own insert (InsertManyFastTx), for comparing rows.
func (r *Inserter) RiverInsertTx(ctx context.Context, tx *store.Tx, params ...river.InsertManyParams) error {
	_, err := r.client.InsertManyFastTx(ctx, tx.SQL(), params)
	return err
}
