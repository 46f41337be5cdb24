package cases

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"

	"banhao/audit"
	"banhao/catalog"
	"banhao/errs"
	"banhao/identity"
)

// Online application: the workflow behind the online hall's and the kiosk's application form and
// POST /api/v1/cases for a signed-in applicant. Who may apply for what (an agent within the
// mandate), the channel, the applicant taken from the account, the uploads, a draft kept or the
// case registered: web parses the form, calls ApplyOnline (or SubmitOnline) and renders.

// ApplicantActor is the applicant acting in sess, as the audit log, the files they upload and
// their cases name them: an agent as themselves on behalf of the organisation.
func ApplicantActor(sess identity.ApplicantSession) audit.Actor {
	a := sess.Applicant.Actor()
	if sess.ActingFor != nil {
		a.Username += "→applicant:" + strconv.FormatInt(sess.ActingFor.ID, 10)
	}
	return a
}

// ApplicantOf is an account's principal as a case's applicant.
func ApplicantOf(p identity.Applicant) Applicant {
	kind := "person"
	if p.Kind == identity.OrgApplicant {
		kind = "organization"
	}
	return Applicant{Type: kind, Name: p.Name, IDNumber: p.IDNumber, Phone: p.Phone}
}

// ChannelOf is the channel of an application made in sess: online, at a kiosk, or by an agent.
func ChannelOf(sess identity.ApplicantSession) string {
	switch {
	case sess.ActingFor != nil:
		return "agent"
	case sess.Channel == identity.ChannelKiosk:
		return "kiosk"
	}
	return "online"
}

// MayApplyBundle: an agent applies for a bundle only when the mandate covers every item of every
// stage (each becomes a case of the organisation).
func (s *Service) MayApplyBundle(sess identity.ApplicantSession, b catalog.Bundle) (err error) {
	defer errs.Wrap(&err, "cases.MayApplyBundle")
	for _, st := range b.Stages {
		for _, code := range st.Items {
			if err := identity.MayApply(sess, code, s.today()); err != nil {
				return err
			}
		}
	}
	return nil
}

// MayApply: who may apply for item in sess (identity.MayApply: an agent within the mandate, today).
func (s *Service) MayApply(sess identity.ApplicantSession, item string) (err error) {
	defer errs.Wrap(&err, "cases.MayApply")
	return identity.MayApply(sess, item, s.today())
}

// ApplyRequest is an application as the online form sends it.
type ApplyRequest struct {
	Session identity.ApplicantSession
	// At is the center of the registered kiosk the form was sent from ("" online): a kiosk's
	// application is accepted there.
	At   string
	Item catalog.Item
	// Materials are what the form gave for the item's materials.
	Materials []ApplyMaterial
	// Defer are the deferrable materials the applicant will supply later (容缺) when not given now.
	Defer []string
	// Values are what the form showed, kept in a draft: the note, the routing choice, the fields
	// the item's rules read.
	Values     map[string]string
	Form       json.RawMessage
	Commitment *CommitmentInput
	// DecidingRegion and DeliveryCenter are the applicant's routing choice (收受分离, route.go).
	DecidingRegion, DeliveryCenter string
	// Draft is the draft the form continues (0: none); SaveOnly saves it and submits nothing.
	Draft    int64
	SaveOnly bool
	// Token is the form's own token: a submission sent twice registers one case.
	Token string
}

// ApplyMaterial is what the form gave for one material: the applicant's certificate kept ticked
// (免提交), a file chosen now, or a file uploaded earlier (with a draft or a refused submission).
type ApplyMaterial struct {
	Item          string // in a bundle application: the item the material is for
	MaterialID    string
	CertificateID string
	Upload        *Upload
	Kept          string
}

// Upload is a file chosen on a form.
type Upload struct {
	Name string
	Body io.Reader
}

// Applied is what an online application came to: the case registered, or the draft kept (saved
// on request; after a refusal, so that only what is missing needs doing; with uploads refused,
// shown again but not saved). Uploads lists the files refused; Refused says
// the application was refused for what it said (err then says why), not for who sent it.
type Applied struct {
	Case    Case
	Draft   Draft
	Uploads []RefusedUpload
	Refused bool
}

// RefusedUpload is a file refused (its type, its size), for its material (of Item, in a bundle).
type RefusedUpload struct {
	Item     string
	Material catalog.Material
	Err      error
}

// ApplyOnline takes an application from the online form: the rule of who may apply, the uploads,
// the draft or the case.
func (s *Service) ApplyOnline(ctx context.Context, in ApplyRequest) (_ Applied, err error) {
	defer errs.Wrap(&err, "cases.ApplyOnline")
	sess, it := in.Session, in.Item
	if err := s.MayApply(sess, it.Code); err != nil {
		return Applied{}, err
	}
	who := ApplicantActor(sess)
	given := map[string]ApplyMaterial{}
	for _, m := range in.Materials {
		given[m.MaterialID] = m
	}
	var refs []MaterialRef
	var problems []RefusedUpload
	for _, m := range it.Materials {
		g := given[m.ID]
		switch {
		case g.CertificateID != "" && m.Source == catalog.SourceCertificate:
			refs = append(refs, MaterialRef{MaterialID: m.ID, CertificateID: g.CertificateID})
		case g.Upload != nil:
			saved, err := s.files.Save(ctx, who, g.Upload.Name, g.Upload.Body)
			if err != nil {
				problems = append(problems, RefusedUpload{Material: m, Err: err})
				continue
			}
			refs = append(refs, MaterialRef{MaterialID: m.ID, FileID: saved.ID})
		case g.Kept != "": // the applicant's own only
			if kf, err := s.files.Get(ctx, s.db, g.Kept); err == nil && OwnUpload(who, kf.CreatedBy) {
				refs = append(refs, MaterialRef{MaterialID: m.ID, FileID: g.Kept})
			}
		}
	}
	values := map[string]string{}
	for k, v := range in.Values {
		values[k] = v
	}
	var later []Later
	for _, m := range it.Materials {
		if m.Deferrable && slices.Contains(in.Defer, m.ID) && !slices.ContainsFunc(refs, func(r MaterialRef) bool { return r.MaterialID == m.ID }) {
			later, values["defer_"+m.ID] = append(later, Later{MaterialID: m.ID}), "1"
		}
	}
	p := sess.Principal()
	d := Draft{ID: in.Draft, Item: it.Code, Values: values, Materials: refs}
	if in.SaveOnly {
		id, err := s.SaveDraft(ctx, p.ID, d)
		if err != nil {
			return Applied{}, err
		}
		d.ID = id
		return Applied{Draft: d}, nil
	}
	if len(problems) > 0 {
		return Applied{Draft: d, Uploads: problems}, nil
	}
	by := who
	if sess.Channel == identity.ChannelKiosk {
		by.Center = in.At
	}
	c, _, err := s.Create(ctx, by, CreateInput{Item: it.Code, Channel: ChannelOf(sess), Applicant: ApplicantOf(p), Form: in.Form,
		Materials: refs, Later: later, Commitment: in.Commitment, DecidingRegion: in.DecidingRegion, DeliveryCenter: in.DeliveryCenter}, "online-"+in.Token)
	if err != nil {
		if e, ok := errs.As(err); ok && e.Code != errs.CodeNotFound && e.Code != errs.CodeUnavailable {
			// Refused (a required material missing, say): what was typed, chosen and uploaded is
			// kept in the draft.
			if id, derr := s.SaveDraft(ctx, p.ID, d); derr == nil {
				d.ID = id
			}
			return Applied{Draft: d, Refused: true}, err
		}
		return Applied{}, err
	}
	if in.Draft != 0 { // the submitted draft goes; one of another item stays
		if old, err := s.DraftFor(ctx, sess, in.Draft, it.Code); err == nil {
			if err := s.DeleteDraft(ctx, p.ID, old.ID); err != nil {
				s.logger.WarnContext(ctx, "submitted draft not deleted", "draft", old.ID, "case", c.Number, "err", err)
			}
		}
	}
	return Applied{Case: c}, nil
}

// SubmitOnline is POST /api/v1/cases for a signed-in applicant: the applicant is the session's
// principal, the channel online, nothing accepted; materials name the applicant's own uploads or
// certificates (checked by Create). key, when given, is the client's idempotency key, kept apart
// per principal. existing says the key had registered the case before.
func (s *Service) SubmitOnline(ctx context.Context, sess identity.ApplicantSession, in CreateInput, key string) (c Case, existing bool, err error) {
	defer errs.Wrap(&err, "cases.SubmitOnline")
	if err := s.MayApply(sess, in.Item); err != nil {
		return Case{}, false, err
	}
	p := sess.Principal()
	in.Applicant = ApplicantOf(p)
	in.Channel, in.Accept = "online", nil
	if key != "" {
		key = "me-" + strconv.FormatInt(p.ID, 10) + "-" + key
	}
	return s.Create(ctx, ApplicantActor(sess), in, key)
}

// BundleApplyRequest is a bundle application (一件事) as the merged online form sends it.
type BundleApplyRequest struct {
	Session identity.ApplicantSession
	Bundle  catalog.Bundle
	// Answers are the merged form's answers by field key (blank ones left out).
	Answers map[string]string
	// Materials are what the form gave for the first stage's items' materials (by Item).
	Materials []ApplyMaterial
	// Defer are the deferrable materials to be supplied later (容缺), when no file is given.
	Defer      []Later
	Commitment *CommitmentInput
	Token      string
}

// ApplyBundleOnline takes a bundle application from the merged online form: the rule of who may
// apply (an agent's mandate covers every item), the uploads, the parent case and its children.
// Nothing is kept in a draft: a refused application is shown again as typed.
func (s *Service) ApplyBundleOnline(ctx context.Context, in BundleApplyRequest) (_ Applied, err error) {
	defer errs.Wrap(&err, "cases.ApplyBundleOnline")
	sess, b := in.Session, in.Bundle
	if err := s.MayApplyBundle(sess, b); err != nil {
		return Applied{}, err
	}
	who := ApplicantActor(sess)
	given := map[string]ApplyMaterial{}
	for _, m := range in.Materials {
		given[m.Item+"\x00"+m.MaterialID] = m
	}
	var refs []MaterialRef
	var later []Later
	var problems []RefusedUpload
	for _, code := range b.Stages[0].Items {
		it, err := s.cat.Item(ctx, code)
		if err != nil {
			return Applied{}, fmt.Errorf("bundle %s item %s: %w", b.Code, code, err)
		}
		for _, m := range it.Materials {
			g := given[code+"\x00"+m.ID]
			switch {
			case g.CertificateID != "" && m.Source == catalog.SourceCertificate:
				refs = append(refs, MaterialRef{Item: code, MaterialID: m.ID, CertificateID: g.CertificateID})
			case g.Upload != nil:
				saved, err := s.files.Save(ctx, who, g.Upload.Name, g.Upload.Body)
				if err != nil {
					problems = append(problems, RefusedUpload{Item: code, Material: m, Err: err})
					continue
				}
				refs = append(refs, MaterialRef{Item: code, MaterialID: m.ID, FileID: saved.ID})
			case m.Deferrable && slices.Contains(in.Defer, Later{Item: code, MaterialID: m.ID}):
				later = append(later, Later{Item: code, MaterialID: m.ID})
			}
		}
	}
	if len(problems) > 0 {
		return Applied{Uploads: problems}, nil
	}
	answers := map[string]any{}
	for k, v := range in.Answers {
		answers[k] = v
	}
	form, _ := json.Marshal(answers)
	c, _, err := s.Create(ctx, who, CreateInput{Bundle: b.Code, Channel: "online", Form: form,
		Applicant: ApplicantOf(sess.Principal()), Materials: refs, Later: later, Commitment: in.Commitment}, "online-"+in.Token)
	if err != nil {
		if e, ok := errs.As(err); ok && e.Code != errs.CodeNotFound && e.Code != errs.CodeUnavailable {
			return Applied{Refused: true}, err
		}
		return Applied{}, err
	}
	return Applied{Case: c}, nil
}
