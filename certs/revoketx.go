package certs

import (
	"context"
	"strings"
	"unicode/utf8"

	"banhao/audit"
	"banhao/errs"
	"banhao/store"
)

// RevokeTx revokes a certificate inside the caller's transaction (a decision revoked after a
// false commitment, issue 16): the same rules as Revoke — who may, a reason, not twice.
func (s *Service) RevokeTx(ctx context.Context, tx *store.Tx, by audit.Actor, id, reason string) (err error) {
	defer errs.Wrap(&err, "certs.RevokeTx")
	reason = strings.TrimSpace(reason)
	if reason != "" && !strings.HasPrefix(reason, WithDecision) { // so that it reads 已撤销 (StatusName)
		reason = WithDecision + "：" + reason
	}
	if reason == "" || utf8.RuneCountInString(reason) > 500 {
		return errs.Invalid("reason", "注销须写明原因（1–500 字）")
	}
	c, err := s.get(ctx, tx, id)
	if err != nil {
		return err
	}
	if err := mayRevoke(ctx, tx, by, c); err != nil {
		return err
	}
	if c.row == Revoked {
		return nil // already revoked (by hand): the decision's revocation stands on its own
	}
	if _, err := tx.ExecContext(ctx, `UPDATE certificates SET status = ?, revoked_at = ?, revoke_reason = ? WHERE id = ?`,
		Revoked, s.now().UTC(), reason, id); err != nil {
		return err
	}
	return s.audit.Record(ctx, tx, by, "certificate.revoke", "certificate", id, map[string]string{"status": Valid},
		map[string]string{"status": Revoked, "reason": reason})
}
