package cases

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"banhao/audit"
	"banhao/calendar"
	"banhao/catalog"
	"banhao/errs"
	"banhao/files"
)

// The window's forms (前台统一受理): the intake of an item or a bundle, and 补交 on the case page.
// What the clerk took in — the files chosen now, those chosen before a refused post and offered
// again (kept), the 容缺 commitments, the originals checked — and the answer given, registered in
// one transaction: web parses the form, calls IntakeAtWindow, BundleIntakeAtWindow or
// SupplyAtWindow and renders what it gets back.
//
// A problem of what was taken in is found before anything is registered, every one at once, as
// an invalid input naming the form's own inputs: "file_ID" (the file of material ID: refused for
// its type or size, or a kept file no longer usable), "due_ID" (its 容缺 date), "materials"
// (nothing chosen to supply); in a bundle ID is "ITEM__MATERIAL". The registration's own errors
// name the materials by their place among those registered (AtWindow.Materials, .Deferred).

// WindowIntake is an application as the window's intake form sends it.
type WindowIntake struct {
	Item   catalog.Item   // the item applied for (IntakeAtWindow)
	Bundle catalog.Bundle // the bundle applied for (BundleIntakeAtWindow)
	// Form is what the item's form (or the bundle's merged form) was answered with.
	Form           json.RawMessage
	Applicant      Applicant
	DecidingRegion string // 收受分离: the applicant's region (审批地), route.go
	DeliveryCenter string // where the result is collected (出件地)
	Commitment     *CommitmentInput
	// Materials are what the clerk took in, per material.
	Materials []WindowMaterial
	// Answer is the clerk's answer, in the registration's transaction: "accept" (with the 容缺
	// commitments), "one_step" (一柜办结: accepted, decided and delivered by this clerk),
	// "correction" (补正告知, with Note), "reject" (不予受理, with Reject); "" registers only.
	// A bundle is accepted or registered only.
	Answer string
	Note   string
	Reject RejectInput
	// Token is the form's own: pressing 受理 twice registers one case.
	Token string
}

// WindowMaterial is what a window form gave for one material: a file chosen now (Upload) or one
// chosen before a refused post and offered again (Kept, its id); 容缺 ticked (Defer) with the
// date promised as typed (Due); its originals checked (Original, 收件核验).
type WindowMaterial struct {
	Item       string // in a bundle: the item the material is for
	MaterialID string
	Upload     *Upload
	Kept       string
	Defer      bool
	Due        string
	Original   bool
}

// AtWindow is what a window form came to: the case, or — refused — what the form took in, to
// show it again: the files stored (by material id; offered again and used by the next post
// unless another is chosen), and the materials and 容缺 commitments as registered, by whose
// places the registration's errors name them.
type AtWindow struct {
	Case      Case
	Kept      map[string]files.File
	Materials []MaterialRef
	Deferred  []DeferInput
}

// KeptUsable is the rule of a file a refused window form offers again (kept_ID): it goes with
// the next post when the clerk posting uploaded it (OwnUpload) and it is still stored (f is not
// the zero File). Another's file id typed into the form is not taken.
func KeptUsable(by audit.Actor, f files.File) bool {
	return f.ID != "" && OwnUpload(by, f.CreatedBy)
}

// KeptFile is a file a form offers again (a refused window form's kept_ID, an online draft's
// material): the stored file when by uploaded it (KeptUsable), nil when it is gone or another's —
// another's file id typed into a form is never shown nor taken.
func (s *Service) KeptFile(ctx context.Context, by audit.Actor, id string) (_ *files.File, err error) {
	defer errs.Wrap(&err, "cases.KeptFile")
	if id == "" {
		return nil, nil
	}
	f, err := s.files.Get(ctx, s.db, id)
	if errs.Is(err, errs.CodeNotFound) {
		return nil, nil
	}
	if err != nil || !KeptUsable(by, f) {
		return nil, err
	}
	return &f, nil
}

// IntakeAtWindow registers an application at the window with what the clerk took in and the
// clerk's answer, in one transaction: either both happen or neither. The problems of the files
// and the 容缺 dates come back all at once before anything is registered; a refused post gets
// back what it took in (AtWindow) with the error.
func (s *Service) IntakeAtWindow(ctx context.Context, by audit.Actor, in WindowIntake) (_ AtWindow, err error) {
	defer errs.Wrap(&err, "cases.IntakeAtWindow")
	it := in.Item
	given := map[string]WindowMaterial{}
	for _, m := range in.Materials {
		given[m.MaterialID] = m
	}
	var taken []WindowMaterial // shared data (共享获取) is not taken in at the window
	for _, m := range it.Materials {
		if g, ok := given[m.ID]; ok && m.Source != catalog.SourceShared {
			taken = append(taken, g)
		}
	}
	var v errs.Validation
	refs, kept, err := s.takeIn(ctx, by, taken, &v)
	if err != nil {
		return AtWindow{}, err
	}
	res := AtWindow{Kept: kept, Materials: refs}
	var originals []string
	for _, m := range it.Materials {
		g := given[m.ID]
		_, has := kept[m.ID]
		if g.Defer && m.Deferrable && !has && m.Source != catalog.SourceShared { // 容缺: promised, not given
			d, err := calendar.ParseDate(g.Due)
			if err != nil {
				v.Add(windowKey("due_", g), "请填写承诺补交日期（年-月-日）")
				continue
			}
			res.Deferred = append(res.Deferred, DeferInput{MaterialID: m.ID, Due: d})
		}
		if g.Original && has { // 收件核验: the originals the clerk checked, of the materials taken in
			originals = append(originals, m.ID)
		}
	}
	if err := v.Err(); err != nil {
		return res, err
	}
	c := CreateInput{Item: it.Code, Channel: "window", Applicant: in.Applicant, Form: in.Form, Materials: refs,
		DecidingRegion: in.DecidingRegion, DeliveryCenter: in.DeliveryCenter, Commitment: in.Commitment, OriginalsChecked: originals}
	switch in.Answer {
	case "accept":
		c.Accept = &AcceptInput{Deferred: res.Deferred}
	case "one_step":
		c.Accept, c.OneStep = &AcceptInput{Deferred: res.Deferred}, &OneStepInput{}
	case "correction":
		c.Correct = &IntakeCorrection{Note: in.Note, Deferred: res.Deferred}
	case "reject":
		c.Reject = &RejectInput{Reason: in.Reject.Reason, Basis: in.Reject.Basis}
	}
	created, _, err := s.Create(ctx, by, c, in.Token)
	if err != nil {
		return res, err
	}
	return AtWindow{Case: created}, nil
}

// BundleIntakeAtWindow registers a bundle application (一件事) from the window's merged form
// and, answered "accept", accepts it as a whole in the same transaction, with the 容缺
// commitments of its members' materials. The problems of the files and dates come back all at
// once before anything is registered.
func (s *Service) BundleIntakeAtWindow(ctx context.Context, by audit.Actor, in WindowIntake) (_ AtWindow, err error) {
	defer errs.Wrap(&err, "cases.BundleIntakeAtWindow")
	var v errs.Validation
	refs, kept, err := s.takeIn(ctx, by, in.Materials, &v) // this post's uploads and those kept from a refused one
	if err != nil {
		return AtWindow{}, err
	}
	res := AtWindow{Kept: kept, Materials: refs}
	c := CreateInput{Bundle: in.Bundle.Code, Channel: "window", Form: in.Form, Applicant: in.Applicant, Materials: refs,
		Commitment: in.Commitment, DecidingRegion: in.DecidingRegion, DeliveryCenter: in.DeliveryCenter}
	if in.Answer == "accept" {
		for _, m := range in.Materials {
			if !m.Defer {
				continue
			}
			d, err := calendar.ParseDate(m.Due)
			if err != nil {
				v.Add(windowKey("due_", m), "请填写容缺材料的承诺补交日期（年-月-日）")
				continue
			}
			res.Deferred = append(res.Deferred, DeferInput{Item: m.Item, MaterialID: m.MaterialID, Due: d})
		}
		c.Accept = &AcceptInput{Deferred: res.Deferred}
	}
	if err := v.Err(); err != nil {
		return res, err
	}
	created, _, err := s.Create(ctx, by, c, in.Token)
	if err != nil {
		return res, err
	}
	return AtWindow{Case: created}, nil
}

// SupplyAtWindow takes in materials supplied later (补正, 容缺) from the case page's 补交 form:
// the files chosen now and those kept from a refused post. Nothing chosen, or a file refused, is
// answered before the case is touched; a refused post gets back the files taken (AtWindow).
func (s *Service) SupplyAtWindow(ctx context.Context, by audit.Actor, number string, ms []WindowMaterial) (_ AtWindow, err error) {
	defer errs.Wrap(&err, "cases.SupplyAtWindow")
	var v errs.Validation
	refs, kept, err := s.takeIn(ctx, by, ms, &v)
	if err != nil {
		return AtWindow{}, err
	}
	if len(refs) == 0 && len(v.Fields()) == 0 {
		v.Add("materials", "请选择要补交的材料文件")
	}
	res := AtWindow{Kept: kept, Materials: refs}
	if err := v.Err(); err != nil {
		return res, err
	}
	c, err := s.Supply(ctx, by, number, SupplyInput{Materials: refs})
	if err != nil {
		return res, err
	}
	return AtWindow{Case: c}, nil
}

// takeIn stores the files chosen now and checks those kept from a refused post (KeptUsable), in
// order: the references to register and the files, by material (windowKey without its prefix).
// A file refused, or a kept one not usable, is a problem added to v; only a failure of the
// store is returned.
func (s *Service) takeIn(ctx context.Context, by audit.Actor, ms []WindowMaterial, v *errs.Validation) ([]MaterialRef, map[string]files.File, error) {
	var refs []MaterialRef
	kept := map[string]files.File{}
	for _, m := range ms {
		var f files.File
		switch {
		case m.Upload != nil:
			saved, err := s.files.Save(ctx, by, m.Upload.Name, m.Upload.Body)
			if e, ok := errs.As(err); ok { // its type, its size
				v.Add(windowKey("file_", m), ProblemOf(e))
				continue
			} else if err != nil {
				return nil, nil, fmt.Errorf("window: store the file of %s: %w", windowKey("", m), err)
			}
			f = saved
		case m.Kept != "":
			stored, err := s.files.Get(ctx, s.db, m.Kept)
			if err != nil && !errs.Is(err, errs.CodeNotFound) {
				return nil, nil, fmt.Errorf("window: the kept file of %s: %w", windowKey("", m), err)
			}
			if !KeptUsable(by, stored) {
				v.Add(windowKey("file_", m), "之前选择的文件已失效，请重新选择")
				continue
			}
			f = stored
		default:
			continue
		}
		refs = append(refs, MaterialRef{Item: m.Item, MaterialID: m.MaterialID, FileID: f.ID})
		kept[windowKey("", m)] = f
	}
	return refs, kept, nil
}

// windowKey names material m on a window form after prefix: "file_m1"; in a bundle
// "file_ITEM__m1".
func windowKey(prefix string, m WindowMaterial) string {
	if m.Item != "" {
		return prefix + m.Item + "__" + m.MaterialID
	}
	return prefix + m.MaterialID
}

// ProblemOf is what a refused file's error says, without a field's name: the form shows it next
// to the file's own input.
func ProblemOf(e *errs.Error) string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	var parts []string
	for _, f := range e.Fields {
		if !slices.Contains(parts, f.Message) {
			parts = append(parts, f.Message)
		}
	}
	return strings.Join(parts, "；")
}
