package cases

import (
	"context"
	"fmt"
	"strings"

	"banhao/identity"
)

// withCredit marks each post-check whose applicant has credit records (信用记录) from other
// cases — a false commitment found before — so that the department checks those first and
// closest: Credit counts them. Two reads for the whole list: the cases' applicants, then the
// records of those applicants.
func (s *Service) withCredit(ctx context.Context, list []PostCheck) error {
	if len(list) == 0 {
		return nil
	}
	numbers := make([]any, len(list))
	for i, p := range list {
		numbers[i] = p.CaseNumber
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(numbers)), ", ")
	rows, err := s.db.QueryContext(ctx, `SELECT number, applicant_id_enc FROM cases WHERE number IN (`+marks+`)`, numbers...)
	if err != nil {
		return fmt.Errorf("post checks: applicants: %w", err)
	}
	idxOf := map[string]string{} // case → the applicant's index
	var idxs []any
	seen := map[string]bool{}
	for rows.Next() {
		var number, enc string
		if err := rows.Scan(&number, &enc); err != nil {
			rows.Close()
			return fmt.Errorf("post checks: applicants: %w", err)
		}
		id, err := s.pii.Open(enc)
		if err != nil {
			rows.Close()
			return fmt.Errorf("post checks: applicant of %s: %w", number, err)
		}
		idx := s.pii.Index(identity.NormalizeID(id))
		idxOf[number] = idx
		if !seen[idx] {
			seen[idx] = true
			idxs = append(idxs, idx)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("post checks: applicants: %w", err)
	}
	if len(idxs) == 0 {
		return nil
	}
	marks = strings.TrimSuffix(strings.Repeat("?, ", len(idxs)), ", ")
	rows, err = s.db.QueryContext(ctx, `SELECT applicant_idx, case_number FROM credit_records WHERE applicant_idx IN (`+marks+`)`, idxs...)
	if err != nil {
		return fmt.Errorf("post checks: credit records: %w", err)
	}
	defer rows.Close()
	type rec struct{ idx, number string }
	var recs []rec
	for rows.Next() {
		var r rec
		if err := rows.Scan(&r.idx, &r.number); err != nil {
			return fmt.Errorf("post checks: credit records: %w", err)
		}
		recs = append(recs, r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("post checks: credit records: %w", err)
	}
	for i := range list {
		for _, r := range recs {
			if r.idx == idxOf[list[i].CaseNumber] && r.number != list[i].CaseNumber {
				list[i].Credit++
			}
		}
	}
	return nil
}

// FalseFindingConsequences is what recording 承诺不实 does, said before it is confirmed: it cannot
// be undone from the post-check list.
func FalseFindingConsequences(p PostCheck) []string {
	return []string{
		"撤销办件 " + p.CaseNumber + "（" + p.ItemName + "）的准予许可决定，办件状态改为“已撤销许可”；",
		"依该决定颁发的电子证照同时撤销（作废），核验时显示已撤销；",
		"在申请人“" + p.ApplicantName + "”名下记入虚假承诺信用记录：信用修复前其申请不再适用告知承诺制；",
		"以短信告知申请人许可已撤销及理由。",
	}
}
