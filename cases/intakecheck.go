package cases

import (
	"context"
	"strings"

	"banhao/catalog"
	"banhao/errs"
)

// itemProblems are the problems of an application for one item that depend on the item — the
// 秒批 rules' answers, the 秒到账 amount and account, the 告知承诺 tick and signature, and for a
// self-service application or a window acceptance the materials still missing — found before anything is written and
// told together: every error at once, not one round each. One problem alone is returned as it
// is; several as one error with every field. nil when the item is unknown (createItem's to
// refuse) or all is well.
func (s *Service) itemProblems(ctx context.Context, in CreateInput) error {
	if in.Item == "" || in.Bundle != "" {
		return nil
	}
	item, err := s.cat.Item(ctx, in.Item)
	if errs.Is(err, errs.CodeNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var found []*errs.Error
	add := func(err error) error {
		if e, ok := errs.As(err); ok && e.Code == errs.CodeInvalid {
			found = append(found, e)
			return nil
		}
		return err
	}
	if err := add(checkRuleAnswers(item, in.Form, selfService(in.Channel))); err != nil {
		return err
	}
	if item.Payment != nil {
		_, err := catalog.ParsePaymentForm(*item.Payment, catalog.FormValues(in.Form), in.Applicant.Holder())
		if err := add(err); err != nil {
			return err
		}
	}
	_, err = CommitmentRule(item, in.Channel, in.Applicant.Name, in.Commitment)
	if err := add(err); err != nil {
		return err
	}
	if !selfService(in.Channel) && in.Accept != nil { // the acceptance's own rule (step.acceptance), told with the rest
		var later []string
		for _, d := range in.Accept.Deferred {
			later = append(later, d.MaterialID)
		}
		library, err := s.libraryFills(ctx, item, in.Materials, in.Applicant.IDNumber) // what reuseCertificates will take in
		if err != nil {
			return err
		}
		if err := add(windowIncomplete(Missing(item.Materials, Supplied{Refs: in.Materials, Library: library, Deferred: later}))); err != nil {
			return err
		}
	}
	if selfService(in.Channel) {
		err := s.checkComplete(ctx, "", item, in.Materials, laterOf(in.Later, item.Code, true), in.Applicant.IDNumber)
		if err := add(err); err != nil {
			return err
		}
	}
	switch len(found) {
	case 0:
		return nil
	case 1:
		return found[0]
	}
	all := &errs.Error{Code: errs.CodeInvalid}
	var msgs []string
	for _, e := range found {
		all.Fields = append(all.Fields, e.Fields...)
		msgs = append(msgs, e.Message)
	}
	all.Message = strings.Join(msgs, "；")
	return all
}

// windowIncomplete names each required material a window acceptance lacks, at its file field:
// nil when none is missing.
func windowIncomplete(missing []catalog.Material) error {
	return incompleteError("", "，不能受理", missing, func(m catalog.Material) string {
		how := "请上传扫描件"
		if m.Deferrable {
			how += "，或勾选容缺并填写承诺补交日期"
		}
		return how + "（材料不齐的，可改为发出补正告知）"
	})
}
