package cases

// systemdecide.go — after an acceptance the system decides what is its to decide: a 秒批 case
// by its rules (autodecide.go), a 告知承诺 case on the applicant's signed commitment
// (commitdecide.go). A bundle (一件事一次办) is decided member by member on the same paths: each
// accepted member of its current stage, as if it had been applied for alone; the others wait
// for their departments' approvers.

import (
	"context"
	"encoding/json"
	"fmt"

	"banhao/calendar"
	"banhao/catalog"
	"banhao/errs"
	"banhao/identity"
	"banhao/store"
)

// decideBySystem runs, in tx, the system's decisions on a case just accepted, or on the
// accepted members of a bundle just accepted (or of a stage just opened).
func (s *Service) decideBySystem(ctx context.Context, tx *store.Tx, number string, cal *calendar.Calendar) error {
	var members []string
	err := tx.ReadTogether(ctx, store.Read{Query: `SELECT number FROM cases WHERE parent_number = ? AND status = ? ORDER BY stage, number`,
		Args: []any{number, string(Accepted)}, Row: func(scan func(...any) error) error {
			var n string
			err := scan(&n)
			members = append(members, n)
			return err
		}})
	if err != nil {
		return err
	}
	if len(members) == 0 {
		members = []string{number}
	}
	for _, n := range members {
		if err := s.decideMember(ctx, tx, n, cal); err != nil {
			return err
		}
	}
	return nil
}

// decideMember decides one accepted case the system's way, if it is the system's to decide.
func (s *Service) decideMember(ctx context.Context, tx *store.Tx, number string, cal *calendar.Calendar) error {
	if err := s.decideByRules(ctx, tx, number, cal); err != nil {
		return err
	}
	var signed int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_commitments m JOIN cases c ON c.number = m.case_number WHERE m.case_number = ? AND c.status = ?`,
		number, string(Accepted)).Scan(&signed); err != nil {
		return err
	}
	if signed == 0 {
		return nil
	}
	return s.decideOnCommitment(ctx, tx, number, cal)
}

// bundleCommitments are the signatures of a bundle's first-stage 告知承诺 members, by item code:
// the applicant's one signature (in.Commitment) holds for each of them, checked as for a case
// alone; such a member takes no 容缺. A signature offered with no such member is refused.
func bundleCommitments(items []catalog.Item, in CreateInput) (map[string]CommitmentInput, error) {
	sigs := map[string]CommitmentInput{}
	for _, it := range items {
		if it.HandlingMode != catalog.ModeCommitment {
			continue
		}
		sig, err := CommitmentRule(it, in.Channel, in.Applicant.Name, in.Commitment)
		if err != nil {
			return nil, bundleMemberError(it, err)
		}
		for _, l := range in.Later {
			if l.Item == it.Code {
				return nil, bundleMemberError(it, errNoDeferralOnCommitment)
			}
		}
		if in.Accept != nil {
			for _, d := range in.Accept.Deferred {
				if d.Item == it.Code {
					return nil, bundleMemberError(it, errNoDeferralOnCommitment)
				}
			}
		}
		sigs[it.Code] = sig
	}
	if len(sigs) == 0 && len(items) > 0 {
		if _, err := CommitmentRule(items[0], in.Channel, in.Applicant.Name, in.Commitment); err != nil {
			return nil, err
		}
	}
	return sigs, nil
}

// bundleMemberError names the member an error is about.
func bundleMemberError(it catalog.Item, err error) error {
	if e, ok := errs.As(err); ok {
		return &errs.Error{Code: e.Code, Message: "「" + it.Name + "」" + e.Message, Fields: e.Fields}
	}
	return err
}

// payingMembers are the bundle's members, at any stage, that pay (秒到账), their answers in the
// merged form checked now as holdPayment will check them.
func (s *Service) payingMembers(ctx context.Context, b catalog.Bundle, values map[string]string) ([]catalog.Item, error) {
	var out []catalog.Item
	for _, st := range b.Stages {
		for _, code := range st.Items {
			it, err := s.cat.Item(ctx, code)
			if err != nil {
				return nil, fmt.Errorf("bundle item %s: %w", code, err)
			}
			if it.Payment == nil {
				continue
			}
			if _, err := catalog.ParsePaymentForm(*it.Payment, catalog.ItemForm(b.Form, values, code)); err != nil {
				return nil, bundleMemberError(it, err)
			}
			out = append(out, it)
		}
	}
	return out, nil
}

// maskPayingAnswers is the merged form as the bundle's own case keeps it: the answers that feed
// a paying member's account and account name masked, as the member's case keeps them.
func maskPayingAnswers(b catalog.Bundle, paying []catalog.Item, form json.RawMessage) json.RawMessage {
	var m map[string]any
	if len(paying) == 0 || json.Unmarshal(form, &m) != nil || m == nil {
		return form
	}
	for _, it := range paying {
		p := it.Payment
		for _, f := range b.Form.Fields {
			for i, code := range f.Items {
				v, ok := m[f.Key]
				if code != it.Code || !ok || v == nil {
					continue
				}
				name := f.Key
				if len(f.Feeds) == len(f.Items) {
					name = f.Feeds[i]
				}
				text := fmt.Sprint(v)
				switch {
				case name == p.AccountField && len(text) >= 4:
					m[f.Key] = MaskAccount(text[len(text)-4:])
				case name == p.NameField:
					m[f.Key] = identity.MaskName(text)
				}
			}
		}
	}
	out, _ := json.Marshal(m)
	return out
}
