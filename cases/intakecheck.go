package cases

import (
	"context"

	"banhao/catalog"
	"banhao/errs"
)

// itemProblems are the problems of an application for one item that depend on the item — the
// 秒批 rules' answers, the 秒到账 amount and account, the 告知承诺 signature — found before
// anything is written so that a form hears of them together with the applicant's (name, ID
// number): every error at once, not one round each. An unknown item is createItem's to refuse.
func (s *Service) itemProblems(ctx context.Context, in CreateInput) ([]errs.FieldError, error) {
	if in.Item == "" || in.Bundle != "" {
		return nil, nil
	}
	item, err := s.cat.Item(ctx, in.Item)
	if errs.Is(err, errs.CodeNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []errs.FieldError
	add := func(err error) {
		if e, ok := errs.As(err); ok && e.Code == errs.CodeInvalid {
			out = append(out, e.Fields...)
		}
	}
	add(checkRuleAnswers(item, in.Form, selfService(in.Channel)))
	if item.Payment != nil {
		_, err := catalog.ParsePaymentForm(*item.Payment, catalog.FormValues(in.Form))
		add(err)
	}
	_, err = CommitmentRule(item, in.Channel, in.Applicant.Name, in.Commitment)
	add(err)
	if len(out) > 0 && selfService(in.Channel) { // and the materials still missing, with them
		err := s.checkComplete(ctx, "", item, in.Materials, laterOf(in.Later, item.Code, true), in.Applicant.IDNumber)
		if e, ok := errs.As(err); ok && e.Code == errs.CodeInvalid {
			out = append(out, e.Fields...)
		} else if err != nil {
			return nil, err
		}
	}
	return out, nil
}
