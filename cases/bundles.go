package cases

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"banhao/audit"
	"banhao/calendar"
	"banhao/catalog"
	"banhao/errs"
	"banhao/store"
)

// A bundle application (一件事) is a parent case for the bundle and one child case per item of
// the current stage, each routed to its department. One acceptance at the window accepts them
// all; when every child of a stage is decided the next stage opens; when the last stage is
// decided the parent is decided, showing any denied child with its reason.

// formValues reads the merged form as text answers.
func formValues(raw json.RawMessage) (map[string]string, error) {
	out := map[string]string{}
	if len(raw) == 0 {
		return out, nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, errs.Invalid("form", "表单须为 JSON 对象")
	}
	for k, v := range m {
		switch x := v.(type) {
		case string:
			out[k] = x
		case float64:
			out[k] = strconv.FormatFloat(x, 'f', -1, 64)
		case bool:
			out[k] = strconv.FormatBool(x)
		case nil:
		default:
			return nil, errs.Invalid("form."+k, "须为文字、数字或是否")
		}
	}
	return out, nil
}

func (s *Service) createBundle(ctx context.Context, by audit.Actor, in CreateInput, key, hash string, into *Case) (string, bool, error) {
	b, err := s.cat.Bundle(ctx, in.Bundle)
	if errs.Is(err, errs.CodeNotFound) {
		return "", false, errs.Invalid("bundle", fmt.Sprintf("一件事 %q 不存在或未发布", in.Bundle))
	}
	if err != nil {
		return "", false, err
	}
	values, err := formValues(in.Form)
	if err != nil {
		return "", false, err
	}
	if err := catalog.ValidateForm(b.Form, values); err != nil {
		return "", false, err
	}
	// Materials name their item; those of the first stage's items are taken in now.
	first := b.Stages[0].Items
	refs := map[string][]MaterialRef{}
	var v errs.Validation
	for i, r := range in.Materials {
		if !slices.Contains(first, r.Item) {
			v.Add(fmt.Sprintf("materials[%d].item", i), "须为本一件事第一阶段的事项编码")
			continue
		}
		refs[r.Item] = append(refs[r.Item], MaterialRef{MaterialID: r.MaterialID, FileID: r.FileID, CertificateID: r.CertificateID})
	}
	if err := v.Err(); err != nil {
		return "", false, err
	}
	items := make([]catalog.Item, len(first))
	for i, code := range first {
		if items[i], err = s.cat.Item(ctx, code); err != nil {
			return "", false, fmt.Errorf("bundle item %s: %w", code, err)
		}
	}
	ShareMaterials(items, refs)
	if in.Accept != nil {
		in.Accept.Deferred = ShareDeferrals(items, refs, in.Accept.Deferred)
	}
	var all [][]MaterialRef
	for _, code := range first {
		all = append(all, refs[code])
	}
	stored, err := s.storedFiles(ctx, by, in.Applicant.IDNumber, all...)
	if err != nil {
		return "", false, err
	}
	for i, code := range first {
		if err := s.checkMaterials(ctx, items[i], refs[code], in.Applicant.IDNumber, stored); err != nil {
			return "", false, err
		}
	}
	if selfService(in.Channel) {
		var defs []DeferInput // a 容缺 choice holds for the same-named material of every item, as a file does
		for _, l := range in.Later {
			defs = append(defs, DeferInput{Item: l.Item, MaterialID: l.MaterialID})
		}
		in.Later = nil
		for _, d := range ShareDeferrals(items, refs, defs) {
			in.Later = append(in.Later, Later{Item: d.Item, MaterialID: d.MaterialID})
		}
		var fields []errs.FieldError // every item's missing materials at once
		var summary []string
		for i, code := range first {
			err := s.checkComplete(ctx, items[i].Name+" · ", items[i], refs[code], laterOf(in.Later, code, false), in.Applicant.IDNumber)
			if e, ok := errs.As(err); ok && e.Code == errs.CodeInvalid {
				fields, summary = append(fields, e.Fields...), append(summary, items[i].Name+"："+e.Message)
			} else if err != nil {
				return "", false, err
			}
		}
		if len(fields) > 0 {
			return "", false, &errs.Error{Code: errs.CodeInvalid, Message: strings.Join(summary, "；"), Fields: fields}
		}
	}
	// Members the system decides or that pay (systemdecide.go), as if applied for alone: a
	// 告知承诺 member's signature, every paying member's answers (at any stage) checked now.
	// The one signature covers the 告知承诺 members of every stage; a later stage's members are
	// signed with it when their stage opens (signLaterMember).
	byCode := map[string]catalog.Item{}
	every := slices.Clone(items)
	for _, st := range b.Stages[1:] {
		for _, code := range st.Items {
			it, err := s.cat.Item(ctx, code)
			if err != nil {
				return "", false, fmt.Errorf("bundle item %s: %w", code, err)
			}
			every = append(every, it)
		}
	}
	for _, it := range every {
		byCode[it.Code] = it
	}
	sigs, err := bundleCommitments(every, in)
	if err != nil {
		return "", false, err
	}
	if err := s.checkPayingMembers(ctx, b, values, in.Applicant.Holder()); err != nil {
		return "", false, err
	}
	parentForm, _, err := s.maskedBundleForm(ctx, b, 1, in.Form)
	if err != nil {
		return "", false, err
	}
	routes, parentRoute, routed, err := s.bundleRoutes(ctx, by, b, items, in) // 收受分离, as for single cases (bundleroute.go)
	if err != nil {
		return "", false, err
	}
	var number string
	existing := false
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		if number, existing, err = idempotent(ctx, tx, key, hash); err != nil || existing {
			return err
		}
		parent := catalog.Item{Code: b.Code, Version: b.Version, Name: b.Name, RegionCode: items[0].RegionCode, PromisedLimit: b.PromisedLimit}
		var idem any
		if key != "" {
			idem = key
		}
		regions := []string{parent.RegionCode}
		for i, it := range items {
			region := it.RegionCode
			if routed { // a member's number carries its deciding region's code, as a single case's
				region = cmp.Or(routes[i].Region, region)
			}
			regions = append(regions, region)
		}
		numbers, err := caseNumbers(ctx, tx, calendar.DateOf(s.now(), s.loc), regions...)
		if err != nil {
			return err
		}
		pc := newCase{item: parent, applicant: in.Applicant, channel: in.Channel, form: string(parentForm),
			idem: idem, hash: hash, bundle: b.Code, number: numbers[0]}
		if routed {
			pc.route = &parentRoute
		}
		if number, err = s.insertCase(ctx, tx, by, pc); err != nil {
			return err
		}
		for i, it := range items {
			form, _ := json.Marshal(catalog.ItemForm(b.Form, values, it.Code))
			nc := newCase{item: it, applicant: in.Applicant, channel: in.Channel, form: string(form),
				materials: refs[it.Code], later: laterOf(in.Later, it.Code, false), bundle: b.Code, parent: number, number: numbers[i+1]}
			if routed { // the deciding region's implementing item, when it has one (route.go)
				nc.route = &routes[i]
				nc.item = routes[i].Competent(it)
				nc.item.Department = catalog.Ref{Code: routes[i].Department.Code, Name: routes[i].Department.Name}
			}
			child, err := s.insertCase(ctx, tx, by, nc)
			if err == nil {
				err = s.holdPayment(ctx, tx, child, it, form, in.Applicant.Holder()) // 秒到账: the account on hold until the member's decision
			}
			if err == nil && routed { // 材料流转: each member's paper, as a single case's
				err = s.openTransfers(ctx, tx, child, routes[i], in.Channel, "")
			}
			if sig, ok := sigs[it.Code]; ok && err == nil {
				err = s.signCommitment(ctx, tx, by, child, it, sig, Submitted) // 告知承诺: decided on it once accepted
			}
			if err != nil {
				return err
			}
		}
		if text, sig, ok := laterCommitments(b, byCode, sigs); ok { // kept on the bundle until their stage opens
			if err := s.signCommitment(ctx, tx, by, number, catalog.Item{Commitment: text}, sig, Submitted); err != nil {
				return err
			}
		}
		accept, acceptor := in.Accept, by
		if accept == nil && SystemAcceptsBundle(items, in, sigs) { // as an online 秒批 or 告知承诺 case alone
			accept, acceptor = &AcceptInput{}, RulesActor
		}
		if accept != nil {
			cal, err := s.cal.Calendar(ctx)
			if err != nil {
				return err
			}
			if err := s.actTx(ctx, tx, acceptor, number, *accept, cal); err != nil {
				return err
			}
			if err := s.decideBySystem(ctx, tx, number, cal); err != nil { // 秒批, 告知承诺 members (systemdecide.go)
				return err
			}
		}
		s.loadAtCommit(tx, number, into)
		return nil
	})
	return number, !existing, err
}

// SystemAcceptsBundle is the rule for an online (self-service) bundle: as an online 秒批 or
// 告知承诺 case alone is accepted by the system and decided at submission, a bundle whose
// first-stage members are all the system's to decide — 秒批 with rules, or 告知承诺 signed — with
// nothing deferred is accepted by the system at once and its members decided by rules or on the
// commitment. A bundle with any member a person must look at waits for the window's acceptance
// as a whole (one acceptance day and deadline, one correction for every member): its 秒批 and
// 告知承诺 members are decided then.
func SystemAcceptsBundle(first []catalog.Item, in CreateInput, sigs map[string]CommitmentInput) bool {
	if !selfService(in.Channel) || in.Reject != nil || in.Correct != nil || len(in.Later) > 0 || len(first) == 0 {
		return false
	}
	for _, it := range first {
		_, signed := sigs[it.Code]
		rules := it.HandlingMode == catalog.ModeRules && !it.Rules.Empty()
		if !rules && !signed {
			return false
		}
	}
	return true
}

// idempotent finds the case an Idempotency-Key already made.
func idempotent(ctx context.Context, tx *store.Tx, key, hash string) (string, bool, error) {
	if key == "" {
		return "", false, nil
	}
	var number, prev string
	err := tx.QueryRowContext(ctx, `SELECT number, request_hash FROM cases WHERE idempotency_key = ?`, key).Scan(&number, &prev)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, err
	case prev != hash:
		return "", false, errs.Conflict("Idempotency-Key 已用于另一份不同的申请")
	}
	return number, true, nil
}

func (c Case) isParent() bool { return c.Bundle != nil && c.parent == "" }

// children reads the child cases of a parent inside tx (locked on PostgreSQL).
func (st *step) children(number string) ([]Case, error) {
	var out []Case
	err := st.tx.ReadTogether(st.ctx, store.Read{Query: `SELECT ` + caseColumns + ` FROM cases WHERE parent_number = ? ORDER BY stage, number` + st.tx.ForUpdate(),
		Args: []any{number}, Row: func(scan func(...any) error) error {
			c, err := st.s.scan(store.ScanFunc(scan))
			out = append(out, c)
			return err
		}})
	return out, err
}

// suppliedOf reads which materials each of the cases has, by case number: one read by key per
// case, all in one round trip.
func (st *step) suppliedOf(kids []Case) (map[string]map[string]bool, error) {
	out := map[string]map[string]bool{}
	var reads []store.Read
	for _, k := range kids {
		out[k.Number] = map[string]bool{}
		reads = append(reads, suppliedRead(k.Number, out[k.Number]))
	}
	return out, st.tx.ReadTogether(st.ctx, reads...)
}

// child prepares a step on a child case, run on the parent's behalf; supplied are the materials
// it has (needed by an acceptance only).
func (st *step) child(c Case, supplied map[string]bool) (*step, error) {
	item, err := st.s.cat.ItemVersion(st.ctx, c.Item, c.ItemVersion)
	if err != nil {
		return nil, err
	}
	if supplied == nil {
		supplied = map[string]bool{}
	}
	return &step{s: st.s, tx: st.tx, ctx: st.ctx, by: st.by, cal: st.cal, c: c, item: item, supplied: supplied, today: st.today, now: st.now, viaParent: true}, nil
}

// acceptBundle accepts every waiting child of the current stage; any that cannot be accepted
// stops the whole acceptance, naming the item.
func (st *step) acceptBundle(in AcceptInput) error {
	kids, err := st.children(st.c.Number)
	if err != nil {
		return err
	}
	supplied, err := st.suppliedOf(kids)
	if err != nil {
		return err
	}
	for _, k := range kids {
		if k.Status == Correction {
			return errs.Conflict("「" + k.ItemName + "」待补正，补齐后再受理一件事")
		}
		if k.Status != Submitted {
			continue
		}
		cs, err := st.child(k, supplied[k.Number])
		if err != nil {
			return err
		}
		var deferred []DeferInput
		for _, d := range in.Deferred {
			if d.Item == k.Item || d.Item != "" && d.Item == cs.item.StandardCode { // a member made under its implementing item
				deferred = append(deferred, d)
			}
		}
		if err := cs.accept(AcceptInput{Deferred: deferred}); err != nil {
			if e, ok := errs.As(err); ok {
				return &errs.Error{Code: e.Code, Message: "「" + k.ItemName + "」" + e.Message, Fields: e.Fields}
			}
			return err
		}
	}
	return nil
}

// advanceBundle runs after a child is decided: when its stage is done, the next stage opens
// (its children accepted from today, the bundle having been accepted), or, after the last stage
// or a denial, the parent is decided.
func (st *step) advanceBundle(parentNumber string) error {
	parent, err := st.s.scan(st.tx.QueryRowContext(st.ctx, `SELECT `+caseColumns+` FROM cases WHERE number = ?`+st.tx.ForUpdate(), parentNumber))
	if err != nil {
		return err
	}
	kids, err := st.children(parentNumber)
	if err != nil {
		return err
	}
	stage := 0
	for _, k := range kids {
		stage = max(stage, k.Stage)
	}
	var denied []string
	for _, k := range kids {
		if k.Stage == stage && !Final(k.Status) && k.Status != Decided {
			return nil // the stage is still being worked
		}
		if k.Decision == "denied" {
			denied = append(denied, k.ItemName+"："+k.DecisionReason)
		}
	}
	b, err := st.s.cat.BundleVersion(st.ctx, parent.Item, parent.ItemVersion)
	if err != nil {
		return err
	}
	if len(denied) == 0 && stage+1 < len(b.Stages) {
		return st.openStage(parent, b, stage+1)
	}
	verdict, reason := "approved", ""
	if len(denied) > 0 {
		verdict, reason = "denied", strings.Join(denied, "；")
	}
	ps := &step{s: st.s, tx: st.tx, ctx: st.ctx, by: st.by, cal: st.cal, c: parent, today: st.today, now: st.now, viaParent: true}
	if err := ps.write(caseChange{status: Decided, decision: &ruling{decision: verdict, reason: reason, on: st.today}}); err != nil {
		return err
	}
	if err := st.s.event(st.ctx, st.tx, audit.System, parent.Number, "decide", Decided, map[string]any{"decision": verdict, "reason": reason}, nil); err != nil {
		return err
	}
	parent.Decision, parent.DecisionReason = verdict, reason
	// Every member decided by the system, online, each result electronic: the bundle's results are
	// sent at once (sysdelivery.go).
	electronic := false
	if verdict == "approved" && SystemDelivers(parent, catalog.Item{}, bySystem(st.by)) {
		if electronic, err = st.s.bundleBySystem(st.ctx, st.tx, parent.Number); err != nil {
			return err
		}
		for _, k := range kids {
			it, err := st.s.ItemOf(st.ctx, k)
			if err != nil {
				return err
			}
			electronic = electronic && SystemDelivers(parent, it, true)
		}
	}
	if electronic {
		parent.DeliveryMethod = "electronic"
	}
	if err := st.s.tellApplicant(st.ctx, st.tx, parent, Decide, "", nil, catalog.Item{ResultName: "各事项办理结果"}); err != nil {
		return err
	}
	if electronic {
		return st.s.deliverBySystem(st.ctx, st.tx, parent.Number, st.cal)
	}
	return nil
}

// openStage creates the children of the next stage, accepted today.
func (st *step) openStage(parent Case, b catalog.Bundle, stage int) error {
	values := map[string]string{}
	var raw map[string]any
	_ = json.Unmarshal(parent.Form, &raw)
	for k, v := range raw {
		values[k] = fmt.Sprint(v)
	}
	for _, code := range b.Stages[stage].Items {
		it, err := st.s.cat.Item(st.ctx, code)
		if err != nil {
			return fmt.Errorf("open stage %d: %w", stage+1, err)
		}
		form, _ := json.Marshal(catalog.ItemForm(b.Form, values, code))
		nc := newCase{item: it, applicant: parent.Applicant, channel: parent.Channel,
			form: string(form), bundle: b.Code, parent: parent.Number, stage: stage, status: Accepted}
		r, routed := st.s.stageRoute(st.ctx, parent, it) // as the first stage's members (bundleroute.go)
		if routed {
			it = r.Competent(it) // the deciding region's implementing item, when it has one
			nc.route, nc.item = &r, it
			nc.item.Department = catalog.Ref{Code: r.Department.Code, Name: r.Department.Name}
		}
		number, err := st.s.insertCase(st.ctx, st.tx, audit.System, nc)
		if err != nil {
			return err
		}
		if routed { // the result's hand-off; the paper materials went with the first stage
			if err := st.s.openTransfers(st.ctx, st.tx, number, r, parent.Channel, TransferMaterials); err != nil {
				return err
			}
		}
		accepted := st.today
		child := Case{Number: number, Item: it.Code, Department: nc.item.Department, Limit: it.PromisedLimit, Status: Accepted, AcceptedOn: &accepted}
		cs := &step{s: st.s, tx: st.tx, ctx: st.ctx, by: audit.System, cal: st.cal, c: child, item: it, today: st.today, now: st.now, viaParent: true}
		if err := cs.recordImmediate(accepted); err != nil { // 即办率 (immediate.go)
			return err
		}
		dl, err := cs.reschedule(child)
		if err != nil {
			return err
		}
		if err := cs.write(caseChange{status: Accepted, acceptedOn: &accepted, deadline: &dl}); err != nil {
			return err
		}
		if err := st.s.holdPayment(st.ctx, st.tx, number, it, form, catalog.Holder{}); err != nil { // 秒到账, as at registration (the payee checked then)
			return err
		}
		if err := st.s.signLaterMember(st.ctx, st.tx, parent.Number, number, it); err != nil { // 告知承诺: the application's signature
			return err
		}
	}
	if masked, changed, err := st.s.maskedBundleForm(st.ctx, b, stage+1, parent.Form); err != nil {
		return err
	} else if changed { // the answers only this stage's paying members needed
		if _, err := st.tx.ExecContext(st.ctx, `UPDATE cases SET form = ? WHERE number = ?`, string(masked), parent.Number); err != nil {
			return err
		}
	}
	if err := st.s.event(st.ctx, st.tx, audit.System, parent.Number, "stage", Accepted, map[string]any{"stage": stage + 1, "name": b.Stages[stage].Name}, nil); err != nil {
		return err
	}
	return st.s.decideBySystem(st.ctx, st.tx, parent.Number, st.cal) // the stage's 秒批 and 告知承诺 members (systemdecide.go)
}

// deliverBundle hands out every decided child with the parent.
func (st *step) deliverBundle(in DeliveryInput) error {
	kids, err := st.children(st.c.Number)
	if err != nil {
		return err
	}
	for _, k := range kids {
		if k.Status != Decided {
			continue
		}
		cs, err := st.child(k, nil)
		if err != nil {
			return err
		}
		// Each member's result goes as its own item allows: a paper licence is not sent
		// electronically with the bundle (its paper's hand-off would be dropped, deliver).
		if m := cs.item.DeliveryMethods; len(m) > 0 && !slices.Contains(m, in.Method) {
			return errs.Invalid("method", fmt.Sprintf("「%s」不支持%s，请选择该事项支持的出件方式", cs.item.Name, catalog.DeliveryNames[in.Method]))
		}
		if err := cs.write(caseChange{status: Delivered, delivery: &in}); err != nil {
			return err
		}
		if err := st.s.event(st.ctx, st.tx, st.by, k.Number, "deliver", Delivered, map[string]any{"method": in.Method, "with": st.c.Number}, nil); err != nil {
			return err
		}
	}
	return nil
}

// correctBundle asks for correction across a bundle: missing entries are "ITEM/MATERIAL"; each
// child with missing materials goes into correction, and the parent's one notice lists them all.
func (st *step) correctBundle(in CorrectionInput) error {
	kids, err := st.children(st.c.Number)
	if err != nil {
		return err
	}
	byItem := map[string][]string{}
	var v errs.Validation
	for i, m := range in.Missing {
		item, mid, ok := strings.Cut(m, "/")
		if !ok {
			v.Add(fmt.Sprintf("missing[%d]", i), "一件事的补正材料须写作 事项编码/材料编号")
			continue
		}
		byItem[item] = append(byItem[item], mid)
	}
	if err := v.Err(); err != nil {
		return err
	}
	found := 0
	for _, k := range kids {
		ids, ok := byItem[k.Item]
		if !ok || k.Status != Submitted {
			continue
		}
		found++
		cs, err := st.child(k, nil)
		if err != nil {
			return err
		}
		if err := cs.askCorrection(CorrectionInput{Missing: ids, Note: in.Note}); err != nil {
			return err
		}
	}
	if found != len(byItem) {
		return errs.Invalid("missing", "补正材料须属于本一件事中待受理的事项")
	}
	return nil
}

// bundleCorrected returns the parent to "submitted" once no child awaits correction.
func (st *step) bundleCorrected(parent string) error {
	kids, err := st.children(parent)
	if err != nil {
		return err
	}
	for _, k := range kids {
		if k.Status == Correction && k.Number != st.c.Number {
			return nil
		}
	}
	if _, err := st.tx.ExecContext(st.ctx, `UPDATE cases SET status = ?, missing = '[]', updated_at = ? WHERE number = ? AND status = ?`,
		string(Submitted), st.now, parent, string(Correction)); err != nil {
		return err
	}
	return st.s.event(st.ctx, st.tx, st.by, parent, "supply", Submitted, map[string]any{"complete": true}, nil)
}

// ShareMaterials: a material several items of a bundle ask for (the same name, sameMaterial) is
// supplied once and shared by their cases (SharedWith shows it so on the forms). A material an item has no reference for takes the file or
// certificate given for the same-named material of another item. Materials from shared data are
// never asked.
func ShareMaterials(items []catalog.Item, refs map[string][]MaterialRef) {
	given := map[string]MaterialRef{} // by material name
	for _, it := range items {
		for _, r := range refs[it.Code] {
			if m, ok := materialByID(it, r.MaterialID); ok {
				if _, seen := given[sameMaterial(m)]; !seen {
					given[sameMaterial(m)] = r
				}
			}
		}
	}
	for _, it := range items {
		have := map[string]bool{}
		for _, r := range refs[it.Code] {
			have[r.MaterialID] = true
		}
		for _, m := range it.Materials {
			g, ok := given[sameMaterial(m)]
			if have[m.ID] || !ok || m.Source == catalog.SourceShared || (g.CertificateID != "" && m.Source != catalog.SourceCertificate) {
				continue
			}
			refs[it.Code] = append(refs[it.Code], MaterialRef{MaterialID: m.ID, FileID: g.FileID, CertificateID: g.CertificateID})
		}
	}
}

// ShareDeferrals: a 容缺 commitment made for one item's material holds for the same-named
// deferrable material of every other item of the bundle that has neither a commitment of its
// own nor the material itself.
func ShareDeferrals(items []catalog.Item, refs map[string][]MaterialRef, deferred []DeferInput) []DeferInput {
	byName := map[string]DeferInput{}
	have := map[string]bool{}
	for item, rs := range refs {
		for _, r := range rs {
			have[item+"\x00"+r.MaterialID] = true
		}
	}
	for _, d := range deferred {
		have[d.Item+"\x00"+d.MaterialID] = true
		for _, it := range items {
			if it.Code != d.Item {
				continue
			}
			if m, ok := materialByID(it, d.MaterialID); ok {
				if _, seen := byName[m.Name]; !seen {
					byName[m.Name] = d
				}
			}
		}
	}
	out := deferred
	for _, it := range items {
		for _, m := range it.Materials {
			d, ok := byName[m.Name]
			if !ok || !m.Deferrable || have[it.Code+"\x00"+m.ID] {
				continue
			}
			out = append(out, DeferInput{Item: it.Code, MaterialID: m.ID, Due: d.Due})
		}
	}
	return out
}
