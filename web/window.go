package web

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"banhao/calendar"
	"banhao/cases"
	"banhao/catalog"
	"banhao/errs"
	"banhao/files"
	"banhao/identity"
)

// The staff pages of the case lifecycle: the comprehensive window (前台统一受理), the
// department's queue (后台分类审批), delivery (统一窗口出件) and the case page.
func (s *Server) registerWindowPages() {
	clerk, approver := roles(identity.Clerk), roles(identity.Approver)
	s.handle("GET", "/work", Page, staff, s.pageWork)
	s.handle("GET", "/window", Page, clerk, s.pageWindow)
	s.handle("GET", "/window/new", Page, clerk, s.pageIntake)
	s.handle("POST", "/window/cases", Page, clerk, s.pageIntakePost, uploads(formFiles))
	s.handle("POST", "/window/open-check", Page, clerk, s.pageOpenCheck)
	s.handle("GET", "/office", Page, approver, s.pageOffice)
	s.handle("GET", "/delivery", Page, clerk, s.pageDelivery)
	s.handle("GET", "/cases/{number}", Page, caseViewers, s.pageCase)
	s.handle("POST", "/cases/{number}/{action}", Page, roles(identity.Clerk, identity.Approver), s.pageCaseAction, uploads(formFiles))
	s.handle("GET", "/cases/{number}/notices/{kind}", Page, roles(identity.Clerk, identity.Approver, identity.Supervisor), s.caseNotice)
	s.handle("GET", "/track", Page, public, s.pageTrack)
}

// pageWork sends each role to its desk.
func (s *Server) pageWork(w http.ResponseWriter, r *http.Request) error {
	sess, _ := session(r)
	to := "/"
	switch sess.User.Role {
	case identity.Clerk:
		to = "/window"
	case identity.Approver:
		to = "/office"
	case identity.Admin, identity.Auditor:
		to = "/admin"
	case identity.HallManager:
		to = "/hall/manage"
	case identity.Supervisor:
		to = "/supervise"
	case identity.Hotline:
		to = "/hotline"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func (s *Server) pageWindow(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query().Get("q")
	var res catalog.Result
	if q != "" {
		var err error
		if res, err = s.Catalog.Search(r.Context(), catalog.Query{Q: q, Limit: 30}); err != nil {
			return err
		}
	}
	// The deciding region's own implementing items in place of their standards: this center's
	// region's for what only it accepts, the applicant's chosen region's (region: a county, "" for
	// the center's own) for a 通办 item each county decides; items the center still cannot accept
	// (not 通办) are marked before the clerk opens them.
	region := r.URL.Query().Get("region")
	items, notHere, err := s.Cases.LocalItems(r.Context(), actor(r), res.Items, region)
	if err != nil {
		return err
	}
	res.Items = items
	counties, _, err := s.listRegions(r) // the city and its counties (lists.go)
	if err != nil {
		return err
	}
	recent, _, err := s.Cases.List(r.Context(), actor(r), cases.Query{Status: string(cases.Submitted), Limit: 20})
	if err != nil {
		return err
	}
	corr, _, err := s.Cases.List(r.Context(), actor(r), cases.Query{Status: string(cases.Correction), Limit: 20})
	if err != nil {
		return err
	}
	bundles, err := s.Catalog.Bundles(r.Context())
	if err != nil {
		return err
	}
	repay, err := s.Cases.PaymentsToCorrect(r.Context(), actor(r), 20) // 秒到账 refused or failed: correct and resend
	if err != nil {
		return err
	}
	return s.render(w, r, "window", "综合窗口受理", map[string]any{"Q": q, "Result": res, "Pending": append(recent, corr...), "Bundles": bundles, "NotHere": notHere,
		"Repay": repay, "Region": region, "Regions": counties})
}

func (s *Server) pageIntake(w http.ResponseWriter, r *http.Request) error {
	it, err := s.Catalog.Item(r.Context(), r.URL.Query().Get("item"))
	if err != nil {
		return err
	}
	// The 申请人所属区划 chosen in the window's search is the form's 审批地 (intakeForm keeps it
	// where the item offers it).
	start := url.Values{}
	if region := r.URL.Query().Get("region"); region != "" {
		start.Set("deciding_region", region)
	}
	return s.intakeForm(w, r, http.StatusOK, it, newForm(start, nil, nil), nil)
}

// applicantFields are the window's 申请人 fields (intake of an item or a bundle).
var applicantFields = formFields{
	"applicant.type": {"applicant_type", "类型"}, "applicant.name": {"applicant_name", "姓名 / 单位名称"},
	"applicant.id_number": {"applicant_id_number", "身份证号 / 统一社会信用代码"}, "applicant.phone": {"applicant_phone", "手机号"},
	"reason": {"reason", "不予受理理由"}, "basis": {"basis", "法律依据"}, "note": {"note", "补正说明"},
	"missing": {"", "补正材料"}, "action": {"", "受理方式"},
	"deciding_region": {"deciding_region", "申请人所属区划（审批地）"}, "delivery_center": {"delivery_center", "出件地（领取结果）"},
}

// intakeFields names the intake form's fields: the applicant's, and per material its file (by
// the material's name and by its place among the files sent, refs) and its 容缺 date (by its
// place among the deferrals sent, deferred).
func intakeFields(it catalog.Item, refs []cases.MaterialRef, deferred []cases.DeferInput) formFields {
	ff := applicantFields.with(nil)
	byID := map[string]catalog.Material{}
	for _, m := range it.Materials {
		byID[m.ID] = m
		ff[m.Name] = formField{"file_" + m.ID, m.Name}
		ff["file_"+m.ID] = formField{"file_" + m.ID, m.Name}
		ff["due_"+m.ID] = formField{"due_" + m.ID, m.Name + "承诺补交日期"}
	}
	ff["commitment"] = formField{"commitment-signed", "承诺书"} // 告知承诺 (postchecks.go)
	for i, ref := range refs {
		ff[fmt.Sprintf("materials[%d]", i)] = formField{"file_" + ref.MaterialID, byID[ref.MaterialID].Name}
	}
	for i, d := range deferred {
		ff[fmt.Sprintf("deferred[%d]", i)] = formField{"due_" + d.MaterialID, byID[d.MaterialID].Name + "承诺补交日期"}
	}
	return ff
}

// intakeForm shows the intake form with what was typed (f) and the files chosen (kept, by
// material id) after a refused post.
func (s *Server) intakeForm(w http.ResponseWriter, r *http.Request, status int, it catalog.Item, f *form, kept map[string]keptFile) error {
	// 收受分离: the clerk's center (受理地), the regions the applicant may belong to for an item
	// each county decides (审批地, by the applicant's ID number unless chosen) and the department
	// deciding in each, the centers where the result may be collected (出件地) — and, before
	// anything is typed, the refusal a post would get at a center that does not accept the item.
	route, err := s.Cases.RoutePlan(r.Context(), actor(r), it, "window", cases.Applicant{})
	if err != nil {
		return err
	}
	cal, err := s.Calendar.Calendar(r.Context())
	if err != nil {
		return err
	}
	today := calendar.DateOf(s.Now(), s.loc())
	// The heading's department, limit and due day are those the case will follow: the chosen
	// region's implementing item's where it published one (沾化区's 失业保险金申领, 3 working days),
	// not the standard's; each region's, for site.js to follow the choice.
	applies := func(c *cases.RegionChoice) intakeApplies {
		a := intakeApplies{}
		if c != nil {
			a.Region = c.Name
		}
		a.Department, a.Limit = c.Applies(it)
		a.Due, _ = cases.Due(cal, today, a.Limit, 0, 0)
		return a
	}
	byRegion := map[string]intakeApplies{}
	for i := range route.Regions {
		byRegion[route.Regions[i].Code] = applies(&route.Regions[i])
	}
	shown := applies(route.Chosen(f.Get("deciding_region")))
	if route.Local != nil { // the center's region's own item is taken in place of the standard (沾化区's, at 沾化区)
		shown.Department, shown.Limit = route.Local.Department.Name, route.Local.PromisedLimit
		shown.Due, _ = cases.Due(cal, today, shown.Limit, 0, 0)
	}
	if local := cmp.Or(route.Local, &it); len(route.Regions) == 0 && local.StandardCode != "" { // a region's implementing item: decided there
		reg, err := s.Network.Region(r.Context(), local.RegionCode)
		if err != nil && !errs.Is(err, errs.CodeNotFound) {
			return err
		}
		shown.Region = reg.Name // "" for a region no longer in the tree
	}
	data := map[string]any{"Item": it, "Form": f, "Kept": kept, "Today": today, "Due": shown.Due, "Token": newFormToken(), "Route": route,
		"Applies": shown, "ByRegion": byRegion, "Standard": applies(nil)}
	data["RuleFields"] = ruleFields(it, f.Get) // 秒批 (rulesform.go)
	// 告知承诺: the applicant's credit records, shown before the commitment is signed — from the
	// number typed (a refused post) or asked for by the page as it is typed (?applicant_id_number).
	id := cmp.Or(f.Get("applicant_id_number"), r.URL.Query().Get("applicant_id_number"))
	if recs, err := s.Cases.CreditBeforeCommitment(r.Context(), actor(r), it, id); err != nil {
		return err
	} else {
		data["Credit"] = cases.CreditWarning(recs)
	}
	// 全市通办 makes a second application easy: the applicant's open case of the same item
	// anywhere in the network is named before acceptance (a warning; the clerk may go on) — asked
	// for by the page as the number is typed (pageOpenCheck), and again on a refused post.
	if r.Method == http.MethodPost && identity.Role(actor(r).Role) == identity.Clerk {
		data["OpenCheck"] = s.openCheck(r, it, f.Get("applicant_id_number"))
	}
	// 一柜办结 is offered only to a clerk whose window authorisation covers this 即办 item today.
	if g, err := s.Cases.OneStepGrant(r.Context(), actor(r), it); err == nil {
		data["OneStep"] = g
	} else if !errs.Is(err, errs.CodeForbidden) && !errs.Is(err, errs.CodeConflict) {
		return err
	}
	return s.renderStatus(w, r, status, "intake", "受理："+it.Name, data)
}

// intakeApplies is what the intake form's heading says a case will follow: the 审批地 (none when
// the item offers no choice), the deciding department, the promised limit and the due day if
// accepted today.
type intakeApplies struct {
	Region, Department string
	Limit              catalog.Limit
	Due                calendar.Date
}

// newFormToken is the form's idempotency key: pressing 受理 twice registers one case.
func newFormToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "form-" + hex.EncodeToString(b)
}

// keptFile is an upload the intake form offers again after a refused post: the clerk chose it,
// it is stored, and posting the form again uses it unless another file is chosen.
type keptFile struct {
	ID, Name, Size string
}

// keptFiles are the files a refused window post took in (cases.AtWindow.Kept), as its form
// offers them again.
func keptFiles(taken map[string]files.File) map[string]keptFile {
	kept := map[string]keptFile{}
	for id, f := range taken {
		kept[id] = keptFile{f.ID, f.Name, humanSize(f.Size)}
	}
	return kept
}

// pageIntakePost registers the application with its uploads and the clerk's answer — accept,
// accept with deficiencies (容缺), ask for correction, or refuse — in one transaction: either
// both happen or neither (cases.IntakeAtWindow). A refused post shows the form again as typed,
// with the files chosen.
func (s *Server) pageIntakePost(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	it, err := s.Catalog.Item(r.Context(), f.Get("item"))
	if err != nil {
		return err
	}
	in := cases.WindowIntake{Item: it, Applicant: cases.Applicant{Type: f.Get("applicant_type"), Name: f.Get("applicant_name"),
		IDNumber: f.Get("applicant_id_number"), Phone: f.Get("applicant_phone")},
		DecidingRegion: f.Get("deciding_region"), DeliveryCenter: f.Get("delivery_center"), Commitment: windowCommitmentFrom(f),
		// 秒批: the fields the item's rules read (rulesform.go); 秒到账: amount and account (payments.go)
		Form:   withPaymentForm(ruleForm(it, f.Get, nil), it, f),
		Answer: f.Get("action"), Note: f.Get("note"), Reject: cases.RejectInput{Reason: f.Get("reason"), Basis: f.Get("basis")}, Token: f.Get("token")}
	for _, m := range it.Materials {
		wm := cases.WindowMaterial{MaterialID: m.ID, Kept: f.Get("kept_" + m.ID), Defer: f.Get("defer_"+m.ID) == "1", Due: f.Get("due_" + m.ID),
			Original: f.Get("orig_"+m.ID) == "1"}
		file, hdr, ferr := formFile(r, "file_"+m.ID)
		if ferr != nil {
			return ferr
		}
		if file != nil {
			defer file.Close()
			wm.Upload = &cases.Upload{Name: hdr.Filename, Body: file}
		}
		in.Materials = append(in.Materials, wm)
	}
	res, err := s.Cases.IntakeAtWindow(r.Context(), actor(r), in)
	if err != nil {
		if _, st := s.errorStatus(w, r, err); st < 500 && !errs.Is(err, errs.CodeNotFound) {
			fields := withRuleFields(withPaymentFields(intakeFields(it, res.Materials, res.Deferred), it), it)
			return s.intakeForm(w, r, st, it, newForm(f, fields, err), keptFiles(res.Kept))
		}
		return err
	}
	return s.redirectCase(w, r, res.Case.Number, "")
}

// redirectCase sends a case form's poster to the case page; with a problem, it shows the case
// page in place (400) with the problem, rather than putting the text into a URL.
func (s *Server) redirectCase(w http.ResponseWriter, r *http.Request, number, problem string) error {
	if problem != "" {
		return s.casePage(w, r, number, http.StatusBadRequest, problem, nil)
	}
	http.Redirect(w, r, "/cases/"+url.PathEscape(number), http.StatusSeeOther)
	return nil
}

// errMessage is err as one sentence for a page that shows it whole (the case page after a
// refused action): each field's message after its field's name in words (errorPageLabels),
// never after its key.
func errMessage(err error) string {
	e, ok := errs.As(err)
	if !ok {
		return "操作失败，请稍后再试"
	}
	if len(e.Fields) == 0 {
		return e.Message
	}
	f := newForm(nil, nil, nil)
	f.add(errorPageLabels, e.Fields...)
	parts := make([]string, len(f.Errors))
	for i, fe := range f.Errors {
		parts[i] = fe.Message
		if fe.Label != unlabelled && !strings.Contains(fe.Message, fe.Label) {
			parts[i] = fe.Label + "：" + fe.Message
		}
	}
	return strings.Join(parts, "；")
}

// fieldMessage is what err says, without any field's name: for an error reported under a field
// the form names itself (an upload refused for its type or size).
func fieldMessage(err error) string {
	e, ok := errs.As(err)
	if !ok {
		return "操作失败，请稍后再试"
	}
	return cases.ProblemOf(e)
}

func (s *Server) pageOffice(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	status := q.Get("status")
	if status == "" {
		status = string(cases.Accepted)
	}
	list, total, err := s.Cases.List(r.Context(), actor(r), cases.Query{Status: status, Warning: q.Get("warning"), Limit: 100})
	if err != nil {
		return err
	}
	return s.render(w, r, "office", "审批工作台", map[string]any{"Cases": list, "Total": total, "Status": status, "Warning": q.Get("warning"),
		"Statuses": []cases.Status{cases.Accepted, cases.Suspended, cases.Decided}, "Names": cases.StatusNames,
		"Rules": s.ruleOutcomes(r.Context(), list)}) // 秒批: why the rules handed a case over (rulesform.go)
}

func (s *Server) pageDelivery(w http.ResponseWriter, r *http.Request) error {
	list, total, err := s.Cases.List(r.Context(), actor(r), cases.Query{Status: string(cases.Decided), Limit: 100})
	if err != nil {
		return err
	}
	numbers := make([]string, len(list))
	for i, c := range list {
		numbers[i] = c.Number
	}
	// 材料流转: a result whose paper has not been signed for here is 待结果送达, not ready
	awaited, err := s.Cases.ResultsAwaited(r.Context(), numbers)
	if err != nil {
		return err
	}
	return s.render(w, r, "delivery", "统一出件", map[string]any{"Cases": list, "Total": total, "Awaited": awaited, "Here": actor(r).Center})
}

func (s *Server) pageCase(w http.ResponseWriter, r *http.Request) error {
	return s.casePage(w, r, r.PathValue("number"), http.StatusOK, "", nil)
}

// caseActionFields name the fields of each form of the case page, by the keys the case's
// errors use: the same key ("reason") is another input in each form.
var caseActionFields = map[string]formFields{
	"decide":   {"decision": {"decision", "决定"}, "reason": {"dreason", "理由"}},
	"suspend":  {"kind": {"kind", "类型"}, "reason": {"sreason", "事由"}},
	"extend":   {"days": {"days", "天数"}, "reason": {"ereason", "理由"}},
	"deliver":  {"method": {"method", "方式"}, "tracking_number": {"tracking_number", "快递单号"}},
	"accept":   {},
	"withdraw": {},
	"supply":   {}, // named per case and item: supplyFields
	"repay":    repayFields,
}

// postedForm is the case page's form just posted and refused: its action and what it showed.
type postedForm struct {
	Action string
	Form   *form
	Kept   map[string]keptFile // 补交: the files taken, by material id, offered again
}

// caseMaterial is a material as the case page lists it: supplied (with its file or the
// certificate from the library), and whether it came under 容缺.
type caseMaterial struct {
	cases.CaseMaterial
	File     *fileLink
	Deferred *cases.Deferred // the 容缺 commitment it fulfilled, if any
}

// casePage shows a case with the problem, if any, of the form just posted: a problem of the
// whole form (problem) or the form with its fields' errors (posted).
func (s *Server) casePage(w http.ResponseWriter, r *http.Request, number string, status int, problem string, posted *postedForm) error {
	c, err := s.Cases.Get(r.Context(), actor(r), number)
	if err != nil {
		return err
	}
	it, err := s.Cases.ItemOf(r.Context(), c)
	if err != nil {
		return err
	}
	sess, _ := session(r)
	supplied := map[string]bool{}
	for _, m := range c.Materials {
		supplied[m.MaterialID] = true
	}
	var open, later []catalog.Material // materials the window may still take in; those it may accept under 容缺
	for _, m := range it.Materials {
		if !supplied[m.ID] && m.Source != catalog.SourceShared {
			open = append(open, m)
			if m.Required && m.Deferrable {
				later = append(later, m)
			}
		}
	}
	notices := cases.NoticesFor(c)
	type noticeLink struct{ Kind, Title string }
	var links []noticeLink
	for _, k := range notices {
		links = append(links, noticeLink{string(k), cases.NoticeTitles[k]})
	}
	var steps []cases.StepDue
	if c.AcceptedOn != nil {
		if cal, err := s.Calendar.Calendar(r.Context()); err == nil {
			steps = cases.StepDeadlines(cal, *c.AcceptedOn, it.Steps)
		}
	}
	var fileLinks map[string]fileLink
	if cases.MayReadMaterials(actor(r), c) == nil {
		fileLinks = caseFileLinks(c)
	}
	// Each material once: a 容缺 material supplied later is a supplied material that says so;
	// one still awaited is listed with its commitment.
	deferred := map[string]*cases.Deferred{}
	var awaited []cases.Deferred
	for i, d := range c.Deferred {
		deferred[d.MaterialID] = &c.Deferred[i]
		if !supplied[d.MaterialID] {
			awaited = append(awaited, d)
		}
	}
	materials := make([]caseMaterial, len(c.Materials))
	for i, m := range c.Materials {
		materials[i] = caseMaterial{CaseMaterial: m, Deferred: deferred[m.MaterialID]}
		if l, ok := fileLinks[m.FileID]; ok && m.FileID != "" {
			materials[i].File = &l
		}
	}
	// 收件核验: each material's sign-off, if any, and the supplied materials whose originals the
	// guide asks for; the accepting clerk may sign off those still open
	origChecks, origNeeds := map[string]*cases.OriginalCheck{}, map[string]bool{}
	for i, o := range c.Originals {
		origChecks[o.MaterialID] = &c.Originals[i]
	}
	origOpen := false
	for _, m := range it.Materials {
		if m.Originals > 0 && supplied[m.ID] && m.Source != catalog.SourceShared {
			origNeeds[m.ID] = true
			origOpen = origOpen || origChecks[m.ID] == nil
		}
	}
	mayCheck := origOpen && s.Cases.OriginalsCheckable(r.Context(), actor(r), c)
	forms := map[string]*form{}
	for a := range caseActionFields {
		forms[a] = newForm(nil, nil, nil)
	}
	if posted != nil {
		forms[posted.Action] = posted.Form
	}
	return s.renderStatus(w, r, status, "case", "办件 "+c.Number, map[string]any{"Case": c, "Item": it, "Steps": steps, "Role": string(sess.User.Role),
		"Open": open, "Notices": links, "NoBank": s.NoBank, "Problem": problem, "Files": fileLinks,
		"Materials": materials, "Awaited": awaited, "Missing": s.Cases.MaterialNames(r.Context(), it, c.Missing),
		"May": cases.Allowed(actor(r), c, it), "Forms": forms, "Posted": posted, // the forms offered: exactly what the rule allows
		"Rules": s.caseRules(r.Context(), c.Number), // 秒批 (rulesform.go)
		"Later": later, "Today": s.today().String(), "Promise": s.promiseOf(r.Context(), actor(r), c),
		"DueUncovered": s.dueUncovered(r.Context(), c.Due),                                 // the deadline's year without its holidays
		"OrigChecks":   origChecks, "OrigNeeds": origNeeds, "MayCheckOriginals": mayCheck}) // 收件核验, 材料流转 (transfers.go)
}

// pageCaseAction applies one action from the case page's forms. A refused form shows the case
// page again with what was chosen and typed, each error next to its field.
func (s *Server) pageCaseAction(w http.ResponseWriter, r *http.Request) error {
	number, f := r.PathValue("number"), r.PostForm
	var err error
	a := r.PathValue("action")
	switch a {
	case "claim", "release":
		_, err = s.Cases.Claim(r.Context(), actor(r), number, a == "claim")
	case "supply":
		return s.pageSupply(w, r, number)
	case "repay": // 秒到账: a refused or failed payment corrected and sent again (payments.go)
		return s.pageRepay(w, r, number)
	case "originals": // 收件核验 after intake (transfers.go)
		_, err = s.Cases.CheckOriginals(r.Context(), actor(r), number, f["material"])
	default:
		if pageActionInput(a, f, nil) == nil {
			return errs.NotFound("操作", a)
		}
		fields := caseActionFields[a].with(nil)
		var keys []string
		for key := range f {
			if id, ok := strings.CutPrefix(key, "defer_"); ok && f.Get(key) == "1" {
				keys = append(keys, id)
			}
		}
		slices.Sort(keys)
		var bad []errs.FieldError
		var deferred []cases.DeferInput
		for _, id := range keys {
			fields[fmt.Sprintf("deferred[%d]", len(deferred))] = formField{"due_" + id, "承诺补交日期"}
			d, derr := calendar.ParseDate(f.Get("due_" + id))
			if derr != nil {
				bad = append(bad, errs.FieldError{Field: "due_" + id, Message: "请填写容缺材料的承诺补交日期"})
				fields["due_"+id] = formField{"due_" + id, "承诺补交日期"}
				continue
			}
			deferred = append(deferred, cases.DeferInput{MaterialID: id, Due: d})
		}
		in := pageActionInput(a, f, deferred)
		if _, known := caseActionFields[a]; known {
			refused := func(fes []errs.FieldError) error {
				fm := newForm(f, fields, nil)
				fm.add(fields, fes...)
				return s.casePage(w, r, number, http.StatusBadRequest, "", &postedForm{Action: a, Form: fm})
			}
			if len(bad) > 0 {
				return refused(bad)
			}
			_, err = s.Cases.Act(r.Context(), actor(r), number, in)
			if e, ok := errs.As(err); ok && e.Code == errs.CodeInvalid && len(e.Fields) > 0 {
				return refused(e.Fields)
			}
		} else if len(bad) > 0 {
			return s.redirectCase(w, r, number, bad[0].Message)
		} else {
			_, err = s.Cases.Act(r.Context(), actor(r), number, in)
		}
	}
	if err != nil {
		if e, ok := errs.As(err); ok && e.Code != errs.CodeNotFound {
			return s.redirectCase(w, r, number, errMessage(err))
		}
		return err
	}
	return s.redirectCase(w, r, number, "")
}

// pageSupply takes in materials supplied later (补正, 容缺) from the case page's 补交 form
// (cases.SupplyAtWindow). A refused post shows the case page again with each error next to its
// material's file input and summarised at the top; the files that were taken are offered again
// (kept_ID) and go with the next post unless another file is chosen.
func (s *Server) pageSupply(w http.ResponseWriter, r *http.Request, number string) error {
	chosen := map[string]*cases.WindowMaterial{} // by material id: a file chosen now, or one kept
	material := func(id string) *cases.WindowMaterial {
		if chosen[id] == nil {
			chosen[id] = &cases.WindowMaterial{MaterialID: id}
		}
		return chosen[id]
	}
	if r.MultipartForm != nil {
		for key, hdrs := range r.MultipartForm.File {
			if id, ok := strings.CutPrefix(key, "file_"); ok && len(hdrs) > 0 {
				file, err := hdrs[0].Open()
				if err != nil {
					return err
				}
				defer file.Close()
				material(id).Upload = &cases.Upload{Name: hdrs[0].Filename, Body: file}
			}
		}
	}
	for key := range r.PostForm {
		if id, ok := strings.CutPrefix(key, "kept_"); ok && r.PostForm.Get(key) != "" {
			material(id).Kept = r.PostForm.Get(key)
		}
	}
	var ms []cases.WindowMaterial
	for _, id := range slices.Sorted(maps.Keys(chosen)) {
		ms = append(ms, *chosen[id])
	}
	res, err := s.Cases.SupplyAtWindow(r.Context(), actor(r), number, ms)
	if e, ok := errs.As(err); ok && e.Code == errs.CodeInvalid && len(e.Fields) > 0 {
		fields, err := s.supplyFields(r, number, res.Materials)
		if err != nil {
			return err
		}
		fm := newForm(r.PostForm, fields, nil)
		fm.add(fields, e.Fields...)
		return s.casePage(w, r, number, http.StatusBadRequest, "", &postedForm{Action: "supply", Form: fm, Kept: keptFiles(res.Kept)})
	}
	if err != nil {
		if e, ok := errs.As(err); ok && e.Code != errs.CodeNotFound {
			return s.redirectCase(w, r, number, errMessage(err))
		}
		return err
	}
	return s.redirectCase(w, r, number, "")
}

// supplyFields names the 补交 form's fields: each material's file input (by its input's name,
// the material's name and its place among the files sent, refs); "materials" (nothing chosen)
// is the first material still open.
func (s *Server) supplyFields(r *http.Request, number string, refs []cases.MaterialRef) (formFields, error) {
	c, err := s.Cases.Get(r.Context(), actor(r), number)
	if err != nil {
		return nil, err
	}
	it, err := s.Cases.ItemOf(r.Context(), c)
	if err != nil {
		return nil, err
	}
	supplied := map[string]bool{}
	for _, m := range c.Materials {
		supplied[m.MaterialID] = true
	}
	ff := formFields{"materials": {"", "补交材料"}}
	byID := map[string]catalog.Material{}
	for _, m := range it.Materials {
		byID[m.ID] = m
		f := formField{"sup_" + m.ID, m.Name}
		ff["file_"+m.ID], ff[m.Name] = f, f
		if ff["materials"].ID == "" && !supplied[m.ID] && m.Source != catalog.SourceShared {
			ff["materials"] = formField{f.ID, "补交材料"}
		}
	}
	for i, ref := range refs {
		ff[fmt.Sprintf("materials[%d]", i)] = formField{"sup_" + ref.MaterialID, byID[ref.MaterialID].Name}
	}
	return ff, nil
}

// pageActionInput is the input of action a as its form on the case page posts it (deferred:
// the 容缺 commitments of an acceptance), or nil when the page has no such action.
func pageActionInput(a string, f url.Values, deferred []cases.DeferInput) cases.ActionInput {
	switch cases.Action(a) {
	case cases.Accept:
		return cases.AcceptInput{Deferred: deferred}
	case cases.Reject:
		return cases.RejectInput{Reason: f.Get("reason"), Basis: f.Get("basis")}
	case cases.Suspend:
		return cases.SuspendInput{Kind: f.Get("kind"), Reason: f.Get("reason")}
	case cases.Resume:
		return cases.ResumeInput{}
	case cases.Extend:
		days, _ := strconv.Atoi(strings.TrimSpace(f.Get("days")))
		return cases.ExtendInput{Days: days, Reason: f.Get("reason")}
	case cases.Decide:
		return cases.DecisionInput{Decision: f.Get("decision"), Reason: f.Get("reason")}
	case cases.Deliver:
		return cases.DeliveryInput{Method: f.Get("method"), TrackingNumber: f.Get("tracking_number")}
	case cases.Withdraw:
		return cases.WithdrawInput{Reason: f.Get("reason")}
	}
	return nil
}

func (s *Server) pageTrack(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	data := map[string]any{"Number": q.Get("number"), "Phone4": q.Get("phone4"), "Fields": map[string]string{}}
	if q.Has("number") || q.Has("phone4") {
		number, phone4, err := trackQuery(q)
		if e, ok := errs.As(err); ok && e.Code == errs.CodeInvalid {
			fields := map[string]string{}
			for _, f := range e.Fields {
				fields[f.Field] = f.Message
			}
			data["Fields"] = fields
			return s.render(w, r, "track", "办件查询", data)
		}
		data["Number"], data["Phone4"] = number, phone4
		c, err := s.Cases.TrackPublic(r.Context(), number, phone4, clientAddr(r)) // wrong guesses limited there
		switch {
		case errs.Is(err, errs.CodeTooManyRequests): // the form again, said kindly, but 429 with Retry-After
			data["Error"] = "查询失败次数过多，请稍后再试。"
			_, status := s.errorStatus(w, r, err)
			return s.renderStatus(w, r, status, "track", "办件查询", data)
		case errs.Is(err, errs.CodeNotFound):
			data["Error"] = "未找到该办件，请核对办件编号和手机号后四位。"
		case err != nil:
			return err
		default:
			it, err := s.Cases.ItemOf(r.Context(), c)
			if err != nil {
				return err
			}
			data["Case"], data["Progress"], data["Final"] = c, cases.CitizenProgress(c, it), cases.Final(c.Status)
		}
	}
	return s.render(w, r, "track", "办件查询", data)
}

func (s *Server) registerBundleWindow() {
	s.handle("GET", "/window/bundle", Page, roles(identity.Clerk), s.pageBundleIntake)
	s.handle("POST", "/window/bundles", Page, roles(identity.Clerk), s.pageBundleIntakePost, uploads(bundleFiles))
}

type bundleItem struct {
	Item      catalog.Item
	Materials []bundleMaterial
}

// bundleMaterial is a material on the merged intake form; SharedWith names the item of the
// bundle that already asks for a material of the same name (supplied once, shared).
type bundleMaterial struct {
	catalog.Material
	SharedWith string
}

// bundleApplicantFields are the 申请人 fields of the bundle intake form (its own labels).
var bundleApplicantFields = formFields{
	"applicant.type": {"applicant_type", "类型"}, "applicant.name": {"applicant_name", "名称"},
	"applicant.id_number": {"applicant_id_number", "统一社会信用代码 / 身份证号"}, "applicant.phone": {"applicant_phone", "手机号"},
}

// bundleFields names a bundle form's fields for the window and online: the merged form's fields
// ("form.key") and each first-stage material, by "item name · material name" (how the
// completeness check names it) and by its file input's name.
func bundleFields(base formFields, b catalog.Bundle, items []bundleItem) formFields {
	ff := base.with(nil)
	for _, fl := range b.Form.Fields {
		ff["form."+fl.Key] = formField{"f_" + fl.Key, fl.Label}
	}
	for _, bi := range items {
		for _, m := range bi.Materials {
			id := "file_" + bi.Item.Code + "__" + m.ID
			ff[bi.Item.Name+" · "+m.Name] = formField{id, bi.Item.Name + " · " + m.Name}
			ff[id] = formField{id, bi.Item.Name + " · " + m.Name}
			ff["due_"+bi.Item.Code+"__"+m.ID] = formField{"due_" + bi.Item.Code + "__" + m.ID, bi.Item.Name + " · " + m.Name + "承诺补交日期"}
		}
	}
	return ff
}

// bundleIntake is the bundle and the first stage's items with their materials, a material
// asked by several items once.
func (s *Server) bundleIntake(r *http.Request, code string) (catalog.Bundle, []bundleItem, error) {
	b, err := s.Catalog.Bundle(r.Context(), code)
	if err != nil {
		return b, nil, err
	}
	var its []catalog.Item
	for _, ic := range b.Stages[0].Items {
		it, err := s.Catalog.Item(r.Context(), ic)
		if err != nil {
			return b, nil, err
		}
		its = append(its, it)
	}
	shared := cases.SharedWith(its) // a material of the same name is supplied once
	var items []bundleItem
	for _, it := range its {
		bi := bundleItem{Item: it}
		for _, m := range it.Materials {
			if m.Source == catalog.SourceShared {
				continue
			}
			bi.Materials = append(bi.Materials, bundleMaterial{Material: m, SharedWith: shared[it.Code][m.ID]})
		}
		items = append(items, bi)
	}
	return b, items, nil
}

func (s *Server) bundleIntakeForm(w http.ResponseWriter, r *http.Request, status int, b catalog.Bundle, items []bundleItem, f *form, kept map[string]keptFile) error {
	var promised []catalog.Item // 告知承诺 members: the applicant signs their 承诺书 here
	for _, bi := range items {
		if bi.Item.HandlingMode == catalog.ModeCommitment {
			promised = append(promised, bi.Item)
		}
	}
	// 收受分离: the members are routed as single cases; the applicant's region (for the members
	// each county decides) and one 出件地 are chosen for the whole bundle.
	var plan cases.Plan
	for i, bi := range items {
		if i == 0 || bi.Item.Scope().DecidedBelow() && len(plan.Regions) == 0 {
			p, err := s.Cases.RoutePlan(r.Context(), actor(r), bi.Item, "window", cases.Applicant{})
			if err != nil {
				return err
			}
			if i == 0 || len(p.Regions) > 0 {
				plan = p
			}
		}
	}
	return s.renderStatus(w, r, status, "bundle_intake", "一件事受理："+b.Name, map[string]any{"Bundle": b, "Items": items, "Form": f,
		"Token": newFormToken(), "Today": calendar.DateOf(s.Now(), s.loc()), "Commitments": promised, "Route": plan, "Kept": kept})
}

func (s *Server) pageBundleIntake(w http.ResponseWriter, r *http.Request) error {
	b, items, err := s.bundleIntake(r, r.URL.Query().Get("code"))
	if err != nil {
		return err
	}
	return s.bundleIntakeForm(w, r, http.StatusOK, b, items, newForm(nil, nil, nil), nil)
}

// pageBundleIntakePost registers a bundle application from the merged form and accepts it
// (cases.BundleIntakeAtWindow); a refused one shows the form again as typed.
func (s *Server) pageBundleIntakePost(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	b, items, err := s.bundleIntake(r, f.Get("bundle"))
	if err != nil {
		return err
	}
	answers := map[string]any{}
	for _, fl := range b.Form.Fields {
		if v := strings.TrimSpace(f.Get("f_" + fl.Key)); v != "" {
			answers[fl.Key] = v
		}
	}
	formJSON, _ := json.Marshal(answers)
	in := cases.WindowIntake{Bundle: b, Form: formJSON, Applicant: cases.Applicant{Type: f.Get("applicant_type"),
		Name: f.Get("applicant_name"), IDNumber: f.Get("applicant_id_number"), Phone: f.Get("applicant_phone")}, Commitment: windowCommitmentFrom(f),
		DecidingRegion: f.Get("deciding_region"), DeliveryCenter: f.Get("delivery_center"), Answer: f.Get("action"), Token: f.Get("token")}
	for _, bi := range items {
		for _, m := range bi.Materials {
			name := bi.Item.Code + "__" + m.ID
			wm := cases.WindowMaterial{Item: bi.Item.Code, MaterialID: m.ID, Defer: f.Get("defer_"+name) == "1", Due: f.Get("due_" + name)}
			file, hdr, ferr := formFile(r, "file_"+name)
			if ferr != nil {
				return ferr
			}
			if file != nil {
				defer file.Close()
				wm.Upload = &cases.Upload{Name: hdr.Filename, Body: file}
			} else {
				wm.Kept = f.Get("kept_" + name) // taken in by a refused post (cases.KeptUsable)
			}
			in.Materials = append(in.Materials, wm)
		}
	}
	res, err := s.Cases.BundleIntakeAtWindow(r.Context(), actor(r), in)
	if err != nil {
		if _, st := s.errorStatus(w, r, err); st < 500 && !errs.Is(err, errs.CodeNotFound) {
			fields := bundleFields(bundleApplicantFields, b, items)
			fields["commitment"] = formField{"commitment-signed", "承诺书"} // 告知承诺 members (postchecks.go)
			fields["deciding_region"] = formField{"deciding_region", "申请人所属区划（审批地）"}
			fields["delivery_center"] = formField{"delivery_center", "出件地（领取结果）"}
			return s.bundleIntakeForm(w, r, st, b, items, newForm(f, fields, err), keptFiles(res.Kept))
		}
		return err
	}
	return s.redirectCase(w, r, res.Case.Number, "")
}

// dueUncovered is the year of a case's due day when the calendar lacks that year's holidays
// (calendar.Uncovered), 0 otherwise: the case page says the day is counted without them.
func (s *Server) dueUncovered(ctx context.Context, due *calendar.Date) int {
	if due == nil {
		return 0
	}
	cal, err := s.Calendar.Calendar(ctx)
	if err != nil {
		return 0
	}
	year, _ := calendar.Uncovered(cal, *due)
	return year
}

// openCheckHTML is the inside of the intake page's #open-check: the warning of the applicant's
// open cases of the item, or why none was looked for.
// A case number links to the case for a clerk who may open it (OpenCase.Openable).
var openCheckHTML = template.Must(template.New("open-check").Parse(`{{with .Open}}<div class="notice" role="alert" id="duplicate-warning"><strong>重复申请提示：</strong>` +
	`该申请人已有“{{(index . 0).ItemName}}”的在办件：{{range $i, $o := .}}{{if $i}}；{{end}}{{if .Openable}}<a href="/cases/{{.Number}}">{{.Number}}</a>{{else}}{{.Number}}{{end}}（{{.CenterName}}，{{.StatusName}}）{{end}}。请核实是否重复申请；确需再次申请的，可继续受理。</div>{{end}}` +
	`{{with .Note}}<p class="muted" id="duplicate-note">{{.}}</p>{{end}}`))

// pageOpenCheck answers the intake page's look-up of the applicant's open cases as the number is
// typed (POST with the form's CSRF token: a link from another site cannot make a clerk look).
func (s *Server) pageOpenCheck(w http.ResponseWriter, r *http.Request) error {
	it, err := s.Catalog.Item(r.Context(), r.PostFormValue("item"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err = io.WriteString(w, string(s.openCheck(r, it, r.PostFormValue("applicant_id_number"))))
	return err
}

// openCheck is the duplicate warning for the applicant id of item at the clerk's window, or a
// note saying why no look-up was made (the center does not accept the item, too many look-ups).
func (s *Server) openCheck(r *http.Request, it catalog.Item, id string) template.HTML {
	open, err := s.Cases.OpenCasesOf(r.Context(), actor(r), it, id)
	data := map[string]any{"Open": open}
	var e *errs.Error
	switch {
	case err == nil:
	case errors.As(err, &e) && (e.Code == errs.CodeConflict || e.Code == errs.CodeTooManyRequests || e.Code == errs.CodeForbidden):
		data["Note"] = e.Message
	default:
		s.Logger.WarnContext(r.Context(), "open cases look-up", "err", err)
		data["Note"] = "在办件查询暂不可用，受理不受影响"
	}
	var b strings.Builder
	if err := openCheckHTML.Execute(&b, data); err != nil {
		s.Logger.WarnContext(r.Context(), "open cases look-up", "err", err)
	}
	return template.HTML(b.String()) // html/template escaped it
}
