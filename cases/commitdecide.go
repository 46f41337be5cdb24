package cases

// commitdecide.go — "the system decides now" for 告知承诺 (issue 16).
//
// The system builds a step as itself (no Authorize: no clerk or approver acts) and runs the
// ordinary Accept/Decide through step.run, so deadlines, statistics, timeline, audit, the
// applicant's SMS and the result certificate are those of any decision. A case alone is signed
// and decided at registration (commitDecide); a bundle's member is signed at registration and
// decided once the bundle is accepted (systemdecide.go), both through signCommitment and
// decideOnCommitment.

import (
	"context"
	"fmt"
	"time"

	"banhao/audit"
	"banhao/calendar"
	"banhao/catalog"
	"banhao/errs"
	"banhao/identity"
	"banhao/store"
)

// commitDecide, in the registration's transaction, approves an application of a 告知承诺 item on
// the applicant's signed commitment: the 承诺书 kept with the case (text, signer, how, when), the
// case accepted by the system when it came online (a window clerk accepted it already), decided
// 准予许可 by the system (承诺制审批通过), and a post-check task due in the item's working days.
// An application of another item passes untouched (a signature offered with it is refused).
func (s *Service) commitDecide(ctx context.Context, tx *store.Tx, by audit.Actor, number string, item catalog.Item, in CreateInput, cal *calendar.Calendar) error {
	sig, err := CommitmentRule(item, in.Channel, in.Applicant.Name, in.Commitment)
	if err != nil || item.HandlingMode != catalog.ModeCommitment {
		return err
	}
	switch {
	case in.Reject != nil || in.Correct != nil:
		return nil // not accepted: nothing is decided on the commitment
	case len(in.Later) > 0 || in.Accept != nil && len(in.Accept.Deferred) > 0:
		return errNoDeferralOnCommitment
	case in.Channel == "window" && in.Accept == nil && in.OneStep == nil:
		return errs.Invalid("commitment", "告知承诺事项在窗口须登记并受理，受理时依申请人承诺当即审批")
	}
	signedIn := Submitted
	if in.Accept != nil {
		signedIn = Accepted
	}
	if err := s.signCommitment(ctx, tx, by, number, item, sig, signedIn); err != nil {
		return err
	}
	var records int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM credit_records WHERE applicant_idx = ?`,
		s.pii.Index(identity.NormalizeID(in.Applicant.IDNumber))).Scan(&records); err != nil {
		return fmt.Errorf("credit records of the applicant: %w", err)
	}
	if withheld := CommitmentWithheld(records); withheld != "" { // reviewed by the department, as any 审批 case
		if err := s.event(ctx, tx, audit.System, number, "commitment_withheld", signedIn, map[string]any{"records": records, "text": withheld}, nil); err != nil {
			return err
		}
		if signedIn != Accepted {
			return nil
		}
		c, err := s.load(ctx, tx, number) // accepted quietly at the window: now its promised day
		if err != nil || c.Due == nil {
			return err
		}
		return s.tellApplicant(ctx, tx, c, Accept, c.Due.String(), nil, item)
	}
	return s.decideOnCommitment(ctx, tx, number, cal)
}

// CommitmentWithheld says why an applicant with records of false commitments (信用记录) is not
// approved on their word: until their credit is repaired 告知承诺 does not apply to them, and the
// department reviews the application as any other ("" when it applies).
func CommitmentWithheld(records int) string {
	if records == 0 {
		return ""
	}
	return fmt.Sprintf("申请人有 %d 条虚假承诺信用记录，信用修复前不适用告知承诺制：转部门按一般程序审查后决定", records)
}

var errNoDeferralOnCommitment = errs.Invalid("commitment", "告知承诺事项依承诺当即审批，须一次交齐材料，不适用容缺")

// signCommitment keeps the signed 承诺书 with the case (text, signer, how, when) and puts the
// signature on its timeline; status is the case's as it is signed.
func (s *Service) signCommitment(ctx context.Context, tx *store.Tx, by audit.Actor, number string, item catalog.Item, sig CommitmentInput, status Status) error {
	now := s.now().UTC().Truncate(time.Microsecond)
	if err := tx.ExecLater(ctx, `INSERT INTO case_commitments (case_number, text, signer, signed_via, signed_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?)`,
		number, item.Commitment, sig.Signer, sig.Via, now, by.Username); err != nil {
		return err
	}
	return s.event(ctx, tx, by, number, "commitment_sign", status, map[string]any{"signer": sig.Signer, "via": sig.Via,
		"text": SignedViaNames[sig.Via] + "：" + sig.Signer}, nil)
}

// decideOnCommitment approves a signed case on its commitment, as the system: accepted first
// when it is still submitted (an application made online), then decided 准予许可, and a
// post-check task due in the item's working days goes to the department. A case not accepted
// (in correction, say) waits.
func (s *Service) decideOnCommitment(ctx context.Context, tx *store.Tx, number string, cal *calendar.Calendar) error {
	st, err := s.systemStep(ctx, tx, number, cal)
	if err != nil {
		return err
	}
	if st.c.Status == Submitted {
		st.atOnce = true // accepted to be decided now: no acceptance text promising a later day
		if err := st.accept(AcceptInput{}); err != nil {
			return err
		}
		if st, err = s.systemStep(ctx, tx, number, cal); err != nil {
			return err
		}
	}
	if st.c.Status != Accepted {
		return nil
	}
	item := st.item
	st.atOnce = true // its due is today's: what remains is the post-check, with its own deadline
	if err := st.decide(DecisionInput{Decision: "approved", Reason: "告知承诺：依申请人书面承诺作出准予许可决定"}); err != nil {
		return err
	}
	today := s.today()
	due, err := PostCheckDue(cal, today, item.PostCheckDays)
	if err != nil {
		return err
	}
	if err := tx.ExecLater(ctx, `INSERT INTO post_checks (case_number, department_code, item_code, item_name, applicant_name, created_on, due, status)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'open')`, number, st.c.Department.Code, item.Code, item.Name, st.c.Applicant.Name, today.String(), due.String()); err != nil {
		return err
	}
	text := "承诺制审批通过：依申请人承诺准予许可，部门将于 " + due.String() + " 前完成事后核查"
	if year, ok := calendar.Uncovered(cal, due); ok {
		text += uncoveredWords(year)
	}
	if err := s.event(ctx, tx, audit.System, number, "commitment_approve", Decided, map[string]any{"post_check_due": due,
		"text": text}, nil); err != nil {
		return err
	}
	return s.deliverBySystem(ctx, tx, number, cal) // online: the result on /my (sysdelivery.go)
}

// systemStep is a step on a case as the system (no window or department acts): the case read
// with its lock, as every step reads it (readForStep).
func (s *Service) systemStep(ctx context.Context, tx *store.Tx, number string, cal *calendar.Calendar) (*step, error) {
	c, supplied, found, err := s.readForStep(ctx, tx, number, nil)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, errs.NotFound("办件", number)
	}
	item, err := s.ItemOf(ctx, c)
	if err != nil {
		return nil, err
	}
	return &step{s: s, tx: tx, ctx: ctx, by: audit.System, cal: cal, c: c, item: item, supplied: supplied, today: s.today(),
		now: s.now().UTC().Truncate(time.Microsecond)}, nil
}
