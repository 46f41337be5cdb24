package cases

// systemdecide.go — after an acceptance the system decides what is its to decide: a 秒批 case
// by its rules (autodecide.go), a 告知承诺 case on the applicant's signed commitment
// (commitdecide.go). A bundle (一件事一次办) is decided member by member on the same paths: each
// accepted member of its current stage, as if it had been applied for alone; the others wait
// for their departments' approvers.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"banhao/audit"
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
	// As for a case alone (commitDecide): an applicant with a false commitment on record is not
	// approved on their word; the member waits for its department's approver.
	var enc string
	if err := tx.QueryRowContext(ctx, `SELECT applicant_id_enc FROM cases WHERE number = ?`, number).Scan(&enc); err != nil {
		return fmt.Errorf("case %s: applicant: %w", number, err)
	}
	id, err := s.pii.Open(enc)
	if err != nil {
		return fmt.Errorf("case %s: applicant: %w", number, err)
	}
	var records int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM credit_records WHERE applicant_idx = ?`,
		s.pii.Index(identity.NormalizeID(id))).Scan(&records); err != nil {
		return fmt.Errorf("case %s: credit records of the applicant: %w", number, err)
	}
	if withheld := CommitmentWithheld(records); withheld != "" {
		return s.event(ctx, tx, audit.System, number, "commitment_withheld", Accepted, map[string]any{"records": records, "text": withheld}, nil)
	}
	return s.decideOnCommitment(ctx, tx, number, cal)
}

// laterCommitments is what the applicant signed for a bundle's 告知承诺 members of stages not yet
// open, kept on the bundle's own case: one signature for all, each member's text named. ok is
// false when no later member is 告知承诺.
func laterCommitments(b catalog.Bundle, items map[string]catalog.Item, sigs map[string]CommitmentInput) (text string, sig CommitmentInput, ok bool) {
	var parts []string
	for _, st := range b.Stages[1:] {
		for _, code := range st.Items {
			if sg, signed := sigs[code]; signed {
				parts = append(parts, "「"+items[code].Name+"」"+items[code].Commitment)
				sig, ok = sg, true
			}
		}
	}
	return strings.Join(parts, "\n"), sig, ok
}

// signLaterMember signs a 告知承诺 member of a stage just opened with the signature the applicant
// gave at application for the whole bundle (kept on the bundle's case): decided on it, as a
// first-stage member, by decideBySystem. A bundle signed for no such member leaves it to the
// approvers.
func (s *Service) signLaterMember(ctx context.Context, tx *store.Tx, parent, number string, it catalog.Item) error {
	if it.HandlingMode != catalog.ModeCommitment {
		return nil
	}
	var sig CommitmentInput
	err := tx.QueryRowContext(ctx, `SELECT signer, signed_via FROM case_commitments WHERE case_number = ?`, parent).Scan(&sig.Signer, &sig.Via)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("bundle %s: the applicant's commitment: %w", parent, err)
	}
	return s.signCommitment(ctx, tx, audit.System, number, it, sig, Accepted)
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

// checkPayingMembers checks now, in the merged form, the answers of every member that pays
// (秒到账), at any stage, as holdPayment will check them when the member's case is made.
func (s *Service) checkPayingMembers(ctx context.Context, b catalog.Bundle, values map[string]string, h catalog.Holder) error {
	for _, st := range b.Stages {
		for _, code := range st.Items {
			it, err := s.cat.Item(ctx, code)
			if err != nil {
				return fmt.Errorf("bundle item %s: %w", code, err)
			}
			if it.Payment == nil {
				continue
			}
			if _, err := catalog.ParsePaymentForm(*it.Payment, catalog.ItemForm(b.Form, values, code), h); err != nil {
				return bundleMemberError(it, err)
			}
		}
	}
	return nil
}

// maskedBundleForm is the merged form as the bundle's own case keeps it once open stages are
// open: the answers that feed a paying member's account and account name masked, as the
// member's case keeps them (holdPayment), except those a paying member of a stage not yet open
// still needs (its case is made, and its payment held, when the stage opens). changed is false
// when nothing was masked.
func (s *Service) maskedBundleForm(ctx context.Context, b catalog.Bundle, open int, form json.RawMessage) (out json.RawMessage, changed bool, err error) {
	var m map[string]any
	if json.Unmarshal(form, &m) != nil || m == nil {
		return form, false, nil
	}
	account := map[string]bool{} // the form's keys to mask: true for an account, false for a name
	keep := map[string]bool{}
	for si, st := range b.Stages {
		for _, code := range st.Items {
			it, err := s.cat.Item(ctx, code)
			if err != nil {
				return nil, false, fmt.Errorf("bundle item %s: %w", code, err)
			}
			p := it.Payment
			if p == nil {
				continue
			}
			for _, f := range b.Form.Fields {
				for i, c := range f.Items {
					name := f.Key
					if len(f.Feeds) == len(f.Items) {
						name = f.Feeds[i]
					}
					switch {
					case c != code || name != p.AccountField && name != p.NameField:
					case si >= open:
						keep[f.Key] = true
					default:
						account[f.Key] = name == p.AccountField
					}
				}
			}
		}
	}
	for k, isAccount := range account {
		v, ok := m[k]
		if !ok || v == nil || keep[k] {
			continue
		}
		text := fmt.Sprint(v)
		switch {
		case isAccount && len(text) >= 4:
			m[k] = MaskAccount(text[len(text)-4:])
		case !isAccount:
			m[k] = identity.MaskName(text)
		}
		changed = true
	}
	if !changed {
		return form, false, nil
	}
	out, err = json.Marshal(m)
	return out, true, err
}
