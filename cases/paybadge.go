package cases

import (
	"context"
	"fmt"
	"strings"

	"banhao/store"
)

// withPaymentTrouble reads, for the cases of a list, the payment of each whose current
// instruction the bank refused or the sender gave up on, so that CaseWarning shows 支付被拒 /
// 发送失败 in every list the case appears in (the department's queue, the window's lists, the
// applicant's own), not only on its page — and a delivered case whose payment was refused never
// shows 正常 beside 已出件. One read finds them; their payments are read together.
func (s *Service) withPaymentTrouble(ctx context.Context, list []Case) error {
	if len(list) == 0 {
		return nil
	}
	numbers := make([]any, 0, len(list)+2)
	for _, c := range list {
		numbers = append(numbers, c.Number)
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(list)), ", ")
	rows, err := s.db.QueryContext(ctx, `SELECT case_number FROM payment_instructions WHERE replaced_by IS NULL AND status IN (?, ?)
		AND case_number IN (`+marks+`)`, append([]any{PayRefused, PayFailed}, numbers...)...)
	if err != nil {
		return fmt.Errorf("cases: payments of the list: %w", err)
	}
	trouble := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return fmt.Errorf("cases: payments of the list: %w", err)
		}
		trouble[n] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("cases: payments of the list: %w", err)
	}
	if len(trouble) == 0 {
		return nil
	}
	var reads []store.Read
	for i := range list {
		if trouble[list[i].Number] {
			reads = append(reads, s.paymentRead(list[i].Number, &list[i]))
		}
	}
	if err := s.db.ReadTogether(ctx, reads...); err != nil {
		return fmt.Errorf("cases: payments of the list: %w", err)
	}
	return nil
}

// PaymentTroubleText is a refused or failed payment said plainly to the applicant, for their
// list of cases ("" when the payment is fine or there is none).
func PaymentTroubleText(c Case) string {
	switch CaseWarning(c) {
	case WarnPayRefused:
		return "款项未能到账：银行退回，请到窗口更正收款账户"
	case WarnPayFailed:
		return "款项暂未发出，工作人员正在处理"
	}
	return ""
}
