package cases

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"banhao/audit"
	"banhao/calendar"
	"banhao/calendar/calstore"
	"banhao/catalog"
	"banhao/certs"
	"banhao/errs"
	"banhao/files"
	"banhao/identity"
	"banhao/ids"
	"banhao/network"
	"banhao/notify"
	"banhao/store"
	"banhao/wiring"
)

// Service runs cases.
type Service struct {
	db     *store.DB
	audit  *audit.Log
	cat    *catalog.Service
	cal    *calstore.Service
	pii    *identity.PII
	files  *files.Store
	now    func() time.Time
	loc    *time.Location
	jobs   Jobs
	outbox *notify.Outbox
	certs  *certs.Service
	net    *network.Service
	center string
	logger *slog.Logger
	limits *identity.Limiter
	policy WarnPolicy // when a case turns yellow
	// depts is the department list as routing sees it, kept for the catalog snapshot it was
	// made from (routeDepts), so an intake does not rebuild it.
	depts atomic.Pointer[keptDepts]
}

// Config wires the service.
type Config struct {
	DB       *store.DB
	Audit    *audit.Log
	Catalog  *catalog.Service
	Calendar *calstore.Service
	PII      *identity.PII
	Files    *files.Store
	Now      func() time.Time
	Location *time.Location
	// Jobs schedule the warnings (jobs.Discard where none should run); Outbox carries the
	// notifications.
	Jobs   Jobs
	Outbox *notify.Outbox
	// Certs is the e-certificate library: certificates used for materials are checked against
	// it, approvals of items with a result certificate issue one, and reads of personal data are
	// recorded on the applicant's data-access list.
	Certs *certs.Service
	// Network is the 市县乡 network: where a clerk's center accepts an item, which region and
	// department decide it, where its result is handed out (without centers, every case is the
	// main center's and its item's region's, as in a one-center installation).
	Network *network.Service
	// Center signs the applicant's text messages (【滨州市政务服务中心】); "政务服务中心" when empty.
	Center string
	// Logger records what the background work (the warning sweep) could not do.
	Logger *slog.Logger
	// Limits counts the wrong guesses at public tracking (TrackPublic), across every node
	// (required: identity.NewLimiter).
	Limits *identity.Limiter
	// Policy says when a case turns yellow (a setting: DefaultWarnPolicy when zero).
	Policy WarnPolicy
}

// New returns the case service. Every dependency of Config is required (jobs.Discard and an
// outbox with only the log channel are the stand-ins where nothing is to run or be sent); Center
// and Policy are settings ("政务服务中心" and DefaultWarnPolicy when empty).
func New(c Config) (_ *Service, err error) {
	defer errs.Wrap(&err, "cases.New")
	if err := wiring.Require("cases.New", wiring.Deps{"DB": c.DB, "Audit": c.Audit, "Catalog": c.Catalog, "Calendar": c.Calendar,
		"PII": c.PII, "Files": c.Files, "Now": c.Now, "Location": c.Location, "Jobs": c.Jobs, "Outbox": c.Outbox,
		"Certs": c.Certs, "Network": c.Network, "Logger": c.Logger, "Limits": c.Limits}); err != nil {
		return nil, err
	}
	return &Service{db: c.DB, audit: c.Audit, cat: c.Catalog, cal: c.Calendar, pii: c.PII, files: c.Files, now: c.Now, loc: c.Location,
		jobs: c.Jobs, outbox: c.Outbox, certs: c.Certs, net: c.Network, center: cmp.Or(c.Center, "政务服务中心"), logger: c.Logger, limits: c.Limits,
		policy: cmp.Or(c.Policy, DefaultWarnPolicy())}, nil
}

// Applicant is the person or organisation applying.
type Applicant struct {
	Type     string `json:"type"`
	Name     string `json:"name"`
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone,omitempty"`
}

// Holder is the applicant as a payment's payee: 秒到账 pays into the applicant's own account.
func (a Applicant) Holder() catalog.Holder {
	return catalog.Holder{Name: a.Name, Org: a.Type == "organization"}
}

// MaterialRef names what satisfies a material: an uploaded file or a certificate.
type MaterialRef struct {
	Item          string `json:"item,omitempty"` // in a bundle application: the item the material is for
	MaterialID    string `json:"material_id"`
	FileID        string `json:"file_id,omitempty"`
	CertificateID string `json:"certificate_id,omitempty"`
}

// CreateInput is an application (API.md POST /api/v1/cases).
type CreateInput struct {
	Item      string          `json:"item"`
	Bundle    string          `json:"bundle,omitempty"`
	Applicant Applicant       `json:"applicant"`
	Channel   string          `json:"channel"`
	Form      json.RawMessage `json:"form,omitempty"`
	Materials []MaterialRef   `json:"materials"`
	// Later are the materials the applicant will supply under 容缺 (self-service channels; the
	// window commits them with a date in Accept).
	Later []Later `json:"deferred,omitempty"`
	// Accept, when given, accepts the application in the same transaction (the window registers
	// and accepts in one step: either both happen or neither).
	Accept *AcceptInput `json:"accept,omitempty"`
	// Reject and Correct are the window's other answers at registration, in the same transaction
	// as the registration (either both happen or neither; the API registers only): Reject refuses
	// the application (不予受理, reason and basis required), Correct asks for the materials still
	// missing once the application is registered (补正; Correct.Missing empty: every required
	// material neither supplied nor taken from the library, except those in Correct.Deferred).
	Reject  *RejectInput      `json:"-"`
	Correct *IntakeCorrection `json:"-"`
	// DecidingRegion is the applicant's region for an item decided below its own region (a
	// 全市通办 item that each county decides): the region whose department decides the case
	// ("": the accepting center's). DeliveryCenter is where the applicant collects the result:
	// a center's code, "mail" for the post, "" for the accepting center.
	DecidingRegion string `json:"deciding_region,omitempty"`
	DeliveryCenter string `json:"delivery_center,omitempty"`
	// OriginalsChecked are the materials whose originals the window clerk checked at intake (收件核验,
	// transfers.go): signed off for the accepting center in the registration's transaction.
	OriginalsChecked []string `json:"originals_checked,omitempty"`
	// OneStep, from a window clerk authorised for a 即办 item (OneStepRule), accepts (with Accept's
	// commitments, if any), decides and delivers the application in the registration's
	// transaction: 一柜办结, one person, every step naming the authorisation.
	OneStep *OneStepInput `json:"one_step,omitempty"`
	// Commitment is the applicant's signature of a 告知承诺 item's 承诺书 (promise.go): the case
	// is approved on it in the registration's transaction and checked afterwards.
	Commitment *CommitmentInput `json:"commitment,omitempty"`
}

// OneStepInput is the window's decision and delivery of a 即办 application: Decision approved
// (the default) or denied (with Reason); Method window (the default), mail (TrackingNumber) or electronic.
type OneStepInput struct {
	Decision       string `json:"decision,omitempty"`
	Reason         string `json:"reason,omitempty"`
	Method         string `json:"method,omitempty"`
	TrackingNumber string `json:"tracking_number,omitempty"`
}

// IntakeCorrection is the window's correction notice at registration: the materials named in
// Missing, or (none named) every required material neither supplied nor taken from the
// certificate library, except those to be taken under 容缺 (Deferred).
type IntakeCorrection struct {
	Deferred []DeferInput `json:"deferred,omitempty"`
	Missing  []string     `json:"missing,omitempty"`
	Note     string       `json:"note,omitempty"`
}

// DeferInput is one 容缺 commitment at acceptance.
type DeferInput struct {
	Item       string        `json:"item,omitempty"` // in a bundle: the item the material belongs to
	MaterialID string        `json:"material_id"`
	Due        calendar.Date `json:"due"`
}

// Deferred is a 容缺 material on a case.
type Deferred struct {
	MaterialID string        `json:"material_id"`
	Name       string        `json:"name"`
	Due        calendar.Date `json:"due"`
	Supplied   bool          `json:"supplied"`
}

// CaseMaterial is a supplied material.
type CaseMaterial struct {
	MaterialID    string    `json:"material_id"`
	Name          string    `json:"name"`
	FileID        string    `json:"file_id,omitempty"`
	CertificateID string    `json:"certificate_id,omitempty"`
	SuppliedAt    time.Time `json:"supplied_at"`
	// The uploaded file's name, sniffed content type and size (staff open it through ReadMaterial).
	FileName    string `json:"file_name,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	Size        int64  `json:"size,omitempty"`
	// The certificate's kind and number, when the material is one from the library (for the
	// staff's case page; the API names the certificate by its identifier).
	CertificateName   string `json:"-"`
	CertificateNumber string `json:"-"`
}

// Event is one line of the timeline.
type Event struct {
	At         time.Time `json:"at"`
	Action     string    `json:"action"`
	ActionName string    `json:"action_name"` // as people read it: 受理, 作出决定
	Actor      string    `json:"actor"`
	Role       string    `json:"role"`
	Status     Status    `json:"status"`
	Detail     string    `json:"detail,omitempty"`
	// Text is the event in words where its detail carries them (a hand-off: 受理地 → 审批地 → 出件地).
	Text string `json:"text,omitempty"`
	// Authorisation names the window authorisation a one-step (一柜办结) action was taken under.
	Authorisation string `json:"authorisation,omitempty"`
}

// Case is one application of one item, as API.md shows it.
type Case struct {
	Number            string         `json:"number"`
	Item              string         `json:"item"`
	ItemName          string         `json:"item_name"`
	ItemVersion       int            `json:"item_version"`
	Bundle            *string        `json:"bundle"`
	Department        catalog.Ref    `json:"department"`
	Status            Status         `json:"status"`
	StatusName        string         `json:"status_name"`
	Channel           string         `json:"channel"`
	Applicant         Applicant      `json:"applicant"`
	SubmittedAt       time.Time      `json:"submitted_at"`
	AcceptedOn        *calendar.Date `json:"accepted_on"`
	Due               *calendar.Date `json:"due"`
	Warning           string         `json:"warning"`
	DaysLeft          *int           `json:"days_left,omitempty"`
	Limit             catalog.Limit  `json:"promised_limit"`
	PausedWorkingDays int            `json:"paused_working_days"`
	ExtendedDays      int            `json:"extended_days"`
	Missing           []string       `json:"missing"`
	Deferred          []Deferred     `json:"deferred"`
	Materials         []CaseMaterial `json:"materials"`
	Decision          string         `json:"decision,omitempty"`
	DecisionReason    string         `json:"decision_reason,omitempty"`
	// DecidedOn is the day of the decision; with Due it says whether the promise was kept.
	DecidedOn *calendar.Date `json:"decided_on,omitempty"`
	// ResultCertificate is the identifier of the e-certificate the approval issued, if any.
	ResultCertificate string          `json:"result_certificate,omitempty"`
	RejectReason      string          `json:"reject_reason,omitempty"`
	RejectBasis       string          `json:"reject_basis,omitempty"`
	DeliveryMethod    string          `json:"delivery_method,omitempty"`
	TrackingNumber    string          `json:"tracking_number,omitempty"`
	Assignee          string          `json:"assignee,omitempty"`
	Form              json.RawMessage `json:"form,omitempty"`
	Stage             int             `json:"stage"`
	Parent            string          `json:"parent,omitempty"`
	Children          []Child         `json:"children"`
	Timeline          []Event         `json:"timeline"`
	// AcceptedCenter is the center that took the application (受理地), DecidingRegion the
	// region whose department decides it (审批地), DeliveryCenter where its result is handed out
	// (出件地: a center's code, or "mail" for the post). The clerk's center accepts; the
	// competent department of the applicant's region decides (Route); the applicant chooses
	// where to collect. The *_name fields are the places in words.
	AcceptedCenter     string `json:"accepted_center"`
	DecidingRegion     string `json:"deciding_region"`
	DeliveryCenter     string `json:"delivery_center"`
	AcceptedCenterName string `json:"accepted_center_name,omitempty"`
	DecidingRegionName string `json:"deciding_region_name,omitempty"`
	DeliveryCenterName string `json:"delivery_center_name,omitempty"`
	// ResultInTransit: decided, and the paper result not yet signed for at the 出件地 (材料流转) —
	// set on the applicant's and the public view, which show no hand-offs: not 请领取 yet.
	ResultInTransit bool `json:"result_in_transit,omitempty"`
	// DeliveryChosen: the applicant chose the 出件地; false, it is the channel's default
	// (DefaultDelivery: where they applied, or online where the case is decided).
	DeliveryChosen bool `json:"delivery_chosen"`

	// Originals are the materials whose originals the accepting center's clerk signed off (收件核验);
	// Transfers the hand-offs of the case's paper between centers (材料流转, transfers.go).
	Originals []OriginalCheck `json:"originals_checked"`
	Transfers []Transfer      `json:"transfers"`

	// Payment is the case's payment instruction (秒到账, payments.go), nil when it has none.
	Payment *Payment `json:"payment,omitempty"`

	parent    string
	phone     string
	suspended *calendar.Date
	yellow    *calendar.Date
	red       *calendar.Date
}

// Child is a child case of a bundle: one item, routed to its department.
type Child struct {
	Number         string         `json:"number"`
	Item           string         `json:"item"`
	ItemName       string         `json:"item_name"`
	Department     string         `json:"department"`
	Stage          int            `json:"stage"`
	Status         Status         `json:"status"`
	StatusName     string         `json:"status_name"`
	Due            *calendar.Date `json:"due"`
	Decision       string         `json:"decision,omitempty"`
	DecisionReason string         `json:"decision_reason,omitempty"`
}

var keyRe = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// Channels of application.
var Channels = []string{"window", "online", "kiosk", "agent"}

func validateApplicant(v *errs.Validation, a *Applicant) {
	a.Name, a.IDNumber, a.Phone = strings.TrimSpace(a.Name), strings.ToUpper(strings.TrimSpace(a.IDNumber)), strings.TrimSpace(a.Phone)
	if a.Type == "" {
		a.Type = "person"
	}
	v.Check(a.Name != "" && utf8.RuneCountInString(a.Name) <= 100, "applicant.name", "申请人名称必填，最多 100 字")
	switch a.Type {
	case "person":
		v.Check(ids.ValidIDNumber(a.IDNumber), "applicant.id_number", "居民身份证号码无效（18 位，校验码须符合 GB 11643）")
	case "organization":
		v.Check(ids.ValidCreditCode(a.IDNumber), "applicant.id_number", "统一社会信用代码无效（18 位，校验码须符合 GB 32100）")
	default:
		v.Add("applicant.type", "申请人类型须为个人或单位（企业）")
	}
	v.Check(a.Phone == "" || ids.ValidPhone(a.Phone), "applicant.phone", "联系电话须为 11 位手机号或带区号的固定电话")
}

// Create submits an application. With an idempotency key, the same key and body return the
// case made the first time (created false); the same key with another body is a conflict.
func (s *Service) Create(ctx context.Context, by audit.Actor, in CreateInput, key string) (_ Case, _ bool, err error) {
	defer errs.Wrap(&err, "cases.Create")
	var v errs.Validation
	v.Check(in.Item != "" || in.Bundle != "", "item", "请选择要申请的事项或一件事")
	v.Check(in.Item == "" || in.Bundle == "", "bundle", "事项与一件事只能选其一")
	validateApplicant(&v, &in.Applicant)
	if in.Channel == "" {
		in.Channel = "window"
	}
	v.Check(slices.Contains(Channels, in.Channel), "channel", "渠道须为窗口、网上办事大厅、自助终端或代办")
	v.Check(key == "" || keyRe.MatchString(key), "Idempotency-Key", "须为 1–128 位字母、数字或 . _ : -")
	if len(in.Form) > 0 && !json.Valid(in.Form) {
		v.Add("form", "表单须为 JSON 对象")
	}
	answers := 0
	for _, given := range []bool{in.Accept != nil, in.Reject != nil, in.Correct != nil} {
		if given {
			answers++
		}
	}
	v.Check(answers <= 1, "action", "受理、补正与不予受理只能选择一项")
	v.Check(in.Bundle == "" || (in.Reject == nil && in.Correct == nil), "action", "一件事登记后在主办件上补正或不予受理")
	if in.OneStep != nil {
		v.Check(in.Bundle == "", "one_step", "一件事不能当场办结，须在各事项的子办件上办理")
		v.Check(in.Reject == nil && in.Correct == nil, "one_step", "当场办结与补正、不予受理只能选择一项")
		v.Check(in.Channel == "window", "one_step", "只有窗口受理的申请可以当场办结")
	}
	v.Check(len(in.OriginalsChecked) == 0 || in.Channel == "window" && in.Bundle == "", "originals_checked", "原件由受理窗口当场核验")
	if in.Reject != nil { // checked with the rest, before anything is written
		v.Check(strings.TrimSpace(in.Reject.Reason) != "", "reason", "不予受理须说明理由")
		v.Check(strings.TrimSpace(in.Reject.Basis) != "", "basis", "不予受理须写明法律依据")
	}
	if len(v.Fields()) > 0 { // the item's own fields (intakecheck.go), told with the rest
		err := s.itemProblems(ctx, in)
		if e, ok := errs.As(err); ok && e.Code == errs.CodeInvalid {
			for _, fe := range e.Fields {
				v.Add(fe.Field, fe.Message)
			}
		} else if err != nil {
			return Case{}, false, fmt.Errorf("cases: check the application: %w", err)
		}
	}
	applicantOK := true
	for _, f := range v.Fields() {
		applicantOK = applicantOK && f.Field != "applicant.name" && f.Field != "applicant.id_number"
	}
	if len(v.Fields()) > 0 && in.Item != "" && applicantOK {
		// The window hears of every problem at once: a name the certificate library's holder
		// does not bear is otherwise found only once the rest is right.
		if item, err := s.cat.Item(ctx, in.Item); err == nil {
			clashes, err := s.holderClashes(ctx, item, in.Applicant, in.Materials)
			if err != nil {
				return Case{}, false, err
			}
			for _, c := range clashes {
				v.Add(c.Field, c.Message)
			}
		}
	}
	if err := v.Err(); err != nil {
		return Case{}, false, err
	}
	if key != "" {
		// A key is the caller's own: the same key from someone else is another request, and
		// never hands them the case made the first time.
		key = by.Username + "/" + key
	}
	body, _ := json.Marshal(in)
	if in.Reject != nil { // the window's answer is part of the request
		more, _ := json.Marshal(in.Reject)
		body = append(append(body, "reject"...), more...)
	}
	if in.Correct != nil {
		more, _ := json.Marshal(in.Correct)
		body = append(append(body, "correction"...), more...)
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	var number string
	var created bool
	var c Case // the new case, read in the transaction's last round trip
	if in.Bundle != "" {
		number, created, err = s.createBundle(ctx, by, in, key, hash, &c)
	} else {
		number, created, err = s.createItem(ctx, by, in, key, hash, &c)
	}
	if err != nil && key != "" && store.IsUniqueViolation(err) {
		number, created, err = s.retryIdempotent(ctx, key, hash) // another request with the key won the race
	}
	if err != nil {
		return Case{}, false, err
	}
	if c.Number != number { // a repeated request (nothing was read back): the case made the first time
		if c, err = s.load(ctx, s.db, number); err != nil {
			return Case{}, false, err
		}
	}
	return s.present(ctx, by, c, false), created, nil
}

// createItem registers an application for one item (and accepts it too when asked).
func (s *Service) createItem(ctx context.Context, by audit.Actor, in CreateInput, key, hash string, into *Case) (string, bool, error) {
	item, err := s.cat.Item(ctx, in.Item)
	if errs.Is(err, errs.CodeNotFound) {
		return "", false, errs.Invalid("item", fmt.Sprintf("事项 %q 不存在或未发布", in.Item))
	}
	if err != nil {
		return "", false, err
	}
	if !item.PromisedLimit.IsSet() {
		return "", false, errs.Invalid("item", "该事项未设置承诺时限，暂不能申请")
	}
	cal, err := s.cal.Calendar(ctx)
	if err != nil {
		return "", false, err
	}
	stored, err := s.storedFiles(ctx, by, in.Applicant.IDNumber, in.Materials)
	if err != nil {
		return "", false, err
	}
	if err := s.checkMaterials(ctx, item, in.Materials, in.Applicant.IDNumber, stored); err != nil {
		return "", false, err
	}
	later := laterOf(in.Later, item.Code, true)
	route, routed, err := s.route(ctx, by, item, in.Applicant, in.Channel, in.DecidingRegion, in.DeliveryCenter)
	if err != nil {
		return "", false, err
	}
	if err := oneStepDelivery(in.OneStep, route, routed); err != nil {
		return "", false, err
	}
	if routed { // the deciding region's implementing item, when it has one: its limit, its code
		item = route.Competent(item)
	}
	if in.Accept != nil { // who may accept comes before what the acceptance lacks
		if err := Authorize(by, Accept, item.Department.Code); err != nil {
			return "", false, err
		}
	}
	// 秒批 answers, 秒到账 account, 告知承诺 signature, missing materials: together (intakecheck.go)
	if err := s.itemProblems(ctx, in); err != nil {
		return "", false, err
	}
	var number string
	existing := false
	sealed := s.sealApplicant(in.Applicant) // before the transaction: not on SQLite's one writer
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		var err error
		if number, existing, err = idempotent(ctx, tx, key, hash); err != nil || existing {
			return err
		}
		var idem any
		if key != "" {
			idem = key
		}
		var pass passedOn // the case as registered, for its acceptance (not read again)
		nc := newCase{item: item, applicant: in.Applicant, channel: in.Channel, form: string(in.Form),
			materials: in.Materials, later: later, idem: idem, hash: hash, sealed: &sealed, registered: &pass}
		if routed {
			nc.route = &route
			nc.item.Department = catalog.Ref{Code: route.Department.Code, Name: route.Department.Name}
		}
		number, err = s.insertCase(ctx, tx, by, nc)
		if err == nil {
			err = s.holdPayment(ctx, tx, number, item, in.Form, in.Applicant.Holder()) // 秒到账: the account on hold until the decision
		}
		if item.Payment != nil {
			pass = passedOn{} // holdPayment masks the form in the row: read again
		}
		switch {
		case err != nil:
		case in.OneStep != nil:
			err = s.oneStep(ctx, tx, by, number, nc.item, in, cal, &pass) // the routed item: its deciding department's authorisation
		case in.Accept != nil:
			accept := *in.Accept
			// 告知承诺 at the window: decided on the commitment in this transaction (commitDecide),
			// whose text says 已办结 — no 已受理，承诺…前办结 before it; texted there if withheld.
			accept.quiet = item.HandlingMode == catalog.ModeCommitment
			err = s.actTxOn(ctx, tx, by, number, &pass, accept, cal, nil)
		case in.Reject != nil:
			err = s.actTxOn(ctx, tx, by, number, &pass, *in.Reject, cal, nil)
		case in.Correct != nil:
			err = s.correctAtIntake(ctx, tx, by, number, item, *in.Correct, cal)
		}
		if err == nil { // 秒批: accepted by the system and decided by rules (autodecide.go)
			err = s.rulesAtIntake(ctx, tx, number, item, in, later, cal)
		}
		if err == nil {
			err = s.commitDecide(ctx, tx, by, number, item, in, cal) // 告知承诺: approved on the commitment
		}
		// What the read-back need not ask for: hand-offs and originals of the new case are
		// written here only (no other transaction sees the case before this one commits).
		// 容缺 commitments are written only by the acceptance's own (steps.go acceptance).
		load := caseLoad{noChildren: true, noPayment: item.Payment == nil, noTransfers: true, noOriginals: true,
			noDeferred: in.Accept == nil || len(in.Accept.Deferred) == 0}
		if err == nil && routed && in.Reject == nil { // 材料流转: the paper's hand-offs, with the case
			skip := ""
			if in.OneStep != nil {
				skip = TransferResult
			}
			var opened int
			opened, err = s.openTransfersN(ctx, tx, number, route, in.Channel, skip)
			load.noTransfers = opened == 0 // accepted, decided and delivered at one center: none
		}
		if err == nil && len(in.OriginalsChecked) > 0 && in.Reject == nil { // 收件核验 at intake
			center := route.AcceptedCenter
			if !routed {
				center, err = s.ownCenter(ctx, by)
			}
			var status Status
			if err == nil {
				err = tx.QueryRowContext(ctx, `SELECT status FROM cases WHERE number = ?`, number).Scan(&status)
			}
			if err == nil {
				load.noOriginals = false
				err = s.recordOriginals(ctx, tx, by, number, center, item, status, in.OriginalsChecked)
			}
		}
		if err == nil {
			s.readAtCommit(tx, &load, number, into)
		}
		return err
	})
	return number, !existing, err
}

// correctAtIntake asks, at registration, for the materials still missing: those named, or
// (none named) every required material the application neither supplied nor took from the
// certificate library, except those the clerk means to take under 容缺 (in.Deferred).
func (s *Service) correctAtIntake(ctx context.Context, tx *store.Tx, by audit.Actor, number string, item catalog.Item, in IntakeCorrection, cal *calendar.Calendar) error {
	supplied := map[string]bool{}
	if err := tx.ReadTogether(ctx, suppliedRead(number, supplied)); err != nil {
		return err
	}
	later := map[string]bool{}
	for _, d := range in.Deferred {
		later[d.MaterialID] = true
	}
	wanted := in.Missing
	if len(wanted) == 0 {
		for _, m := range item.Materials {
			if m.Required && m.Source != catalog.SourceShared && !(later[m.ID] && m.Deferrable) {
				wanted = append(wanted, m.ID)
			}
		}
	}
	var missing []string
	for _, id := range wanted {
		if !supplied[id] {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return errs.Invalid("missing", "材料齐全，无需补正，请直接受理")
	}
	return s.actTx(ctx, tx, by, number, CorrectionInput{Missing: missing, Note: in.Note}, cal)
}

// newCase is what insertCase writes: an item's case, or a bundle's parent (item then carries
// the bundle's code, version, name and limit, and no department).
type newCase struct {
	item      catalog.Item
	applicant Applicant
	channel   string
	form      string
	materials []MaterialRef
	later     []string // materials the applicant will supply under 容缺 (online)
	idem      any
	hash      string
	bundle    any // bundle code for a bundle's parent and children
	parent    any // parent number for a child
	stage     int
	status    Status
	number    string // drawn beforehand (a bundle draws all its numbers at once); else drawn here
	// registered, when not nil, receives the case as insertCase wrote it (passedOn), for the
	// command's next step to take instead of reading it again.
	registered *passedOn
	// route is where the case goes (nil: the main center's, decided by the item's region and
	// department); item.Department is then the competent department.
	route *Route
	// sealed is the applicant's number and phone as stored, when sealed beforehand; nil: sealed
	// by insertCase.
	sealed *sealedApplicant
}

// sealedApplicant is an applicant's ID number and phone encrypted and indexed as the cases
// table keeps them.
type sealedApplicant struct{ idEnc, idIdx, phoneEnc, phoneIdx string }

func (s *Service) sealApplicant(a Applicant) sealedApplicant {
	return sealedApplicant{s.pii.Seal(a.IDNumber), s.pii.Index(a.IDNumber), s.pii.Seal(a.Phone), s.pii.Index(a.Phone)}
}

// insertCase writes a new case with its materials and first timeline entry inside tx.
func (s *Service) insertCase(ctx context.Context, tx *store.Tx, by audit.Actor, n newCase) (string, error) {
	now := s.now().UTC().Truncate(time.Microsecond)
	accepted, delivery, region, chosen := "", "", n.item.RegionCode, 0
	if r := n.route; r != nil {
		accepted, delivery, region = r.AcceptedCenter, r.Delivery, cmp.Or(r.Region, region)
		if r.DeliveryChosen {
			chosen = 1
		}
	}
	number := n.number
	if number == "" { // the deciding region's area code (numberRegion)
		numbers, err := caseNumbers(ctx, tx, calendar.DateOf(now, s.loc), region)
		if err != nil {
			return "", err
		}
		number = numbers[0]
	}
	if n.form == "" {
		n.form = "{}"
	}
	if n.status == "" {
		n.status = Submitted
	}
	if n.sealed == nil {
		sa := s.sealApplicant(n.applicant)
		n.sealed = &sa
	}
	err := tx.ExecLater(ctx, `INSERT INTO cases (number, item_code, item_version, item_name, department_code, region_code, status, channel,
		applicant_type, applicant_name, applicant_id_enc, applicant_id_idx, applicant_phone_enc, applicant_phone_idx, form,
		limit_value, limit_unit, idempotency_key, request_hash, bundle_code, parent_number, stage, created_by, submitted_at, updated_at,
		delivery_chosen, accepted_center, delivery_center, deciding_region)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
		CASE WHEN ? <> '' THEN ? ELSE `+network.MainCenterSQL+` END, CASE WHEN ? <> '' THEN ? ELSE `+network.MainCenterSQL+` END,
		CASE WHEN ? <> '' THEN ? ELSE `+network.MainRegionSQL+` END)`,
		number, n.item.Code, n.item.Version, n.item.Name, n.item.Department.Code, n.item.RegionCode, string(n.status), n.channel,
		n.applicant.Type, n.applicant.Name, n.sealed.idEnc, n.sealed.idIdx, n.sealed.phoneEnc, n.sealed.phoneIdx, n.form,
		n.item.PromisedLimit.Value, n.item.PromisedLimit.Unit, n.idem, n.hash, n.bundle, n.parent, n.stage, by.Username, now, now, chosen,
		accepted, accepted, delivery, delivery, region, region)
	if err != nil {
		return "", err
	}
	s.countNew(tx, n, now)
	reused, err := s.reuseCertificates(ctx, tx, by, number, n)
	if err != nil {
		return "", err
	}
	n.materials = append(n.materials, reused...)
	if err := s.saveMaterials(ctx, tx, number, n.materials, now, false); err != nil {
		return "", err
	}
	detail := map[string]any{"channel": n.channel, "materials": len(n.materials)}
	if len(n.later) > 0 {
		detail["deferred"] = n.later
	}
	if err := s.event(ctx, tx, by, number, "submit", n.status, detail, nil); err != nil {
		return "", err
	}
	if n.registered != nil {
		*n.registered = s.asRegistered(tx.Dialect(), n, number, now)
	}
	if r := n.route; r != nil && r.HandOff() && (n.bundle == nil || n.parent != nil) { // a bundle's members say their own
		// the hand-offs in words: 受理地 → 审批地 → 出件地
		return number, s.event(ctx, tx, by, number, "route", n.status, map[string]any{"accepted_center": r.AcceptedCenter,
			"deciding_region": r.Region, "department": r.Department.Code, "delivery_center": r.Delivery, "text": r.Text()}, nil)
	}
	return number, nil
}

// retryIdempotent answers a request that lost the race for its Idempotency-Key.
func (s *Service) retryIdempotent(ctx context.Context, key, hash string) (string, bool, error) {
	var number string
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		var found bool
		var err error
		number, found, err = idempotent(ctx, tx, key, hash)
		if err == nil && !found {
			err = errs.Conflict("Idempotency-Key 冲突，请重试")
		}
		return err
	})
	return number, false, err
}

// caseNumbers hands out the numbers of new cases, one per region given (several for a bundle's
// parent and children, drawn in one round trip): "<6-digit area>-<yyyymmdd>-<5-digit sequence>",
// unique across nodes. SQLite counts per area and day; PostgreSQL draws from one sequence so
// that no row is locked across commits (the numbers stay unique and increasing, not restarting
// daily).
func caseNumbers(ctx context.Context, tx *store.Tx, day calendar.Date, regions ...string) ([]string, error) {
	prefixes := make([]string, len(regions))
	drawn := map[string]*[]int64{}
	count := map[string]int{}
	var order []string
	for i, region := range regions {
		area := "000000"
		if len(region) >= 6 {
			area = region[:6]
		}
		prefixes[i] = area + "-" + strings.ReplaceAll(day.String(), "-", "")
		if count[prefixes[i]] == 0 {
			order = append(order, prefixes[i])
		}
		count[prefixes[i]]++
	}
	var reads []store.Read
	for _, p := range order {
		drawn[p] = &[]int64{}
		reads = append(reads, tx.NextSeqs("case_seq", p, count[p], drawn[p]))
	}
	if err := tx.ReadTogether(ctx, reads...); err != nil {
		return nil, fmt.Errorf("case number: %w", err)
	}
	out := make([]string, len(regions))
	for i, p := range prefixes {
		v := drawn[p]
		if len(*v) == 0 {
			return nil, fmt.Errorf("case number: no number drawn for %s", p)
		}
		out[i] = fmt.Sprintf("%s-%05d", p, (*v)[0])
		*v = (*v)[1:]
	}
	return out, nil
}

func materialByID(item catalog.Item, id string) (catalog.Material, bool) {
	for _, m := range item.Materials {
		if m.ID == id {
			return m, true
		}
	}
	return catalog.Material{}, false
}

// fileState is what intake may do with a file a reference names.
type fileState int

const (
	fileMissing fileState = iota // not stored, or not this actor's upload: answered as unknown
	fileUsable
	fileForeign // already a material of another applicant's case
)

// OwnUpload is the one rule of whose uploads an account may attach to a case: its own, or —
// for an applicant — one uploaded by anyone acting for the same principal (an agent continuing
// the organisation's draft). by is the acting account (an agent's actor name ends in
// "→applicant:N", the principal). Another's file id typed into a form is not taken.
func OwnUpload(by audit.Actor, createdBy string) bool {
	if createdBy == "" {
		return false
	}
	if createdBy == by.Username {
		return true
	}
	if by.Role != "applicant" {
		return false
	}
	p := by.Username
	if i := strings.LastIndex(p, "→"); i >= 0 {
		p = p[i+len("→"):]
	}
	return createdBy == p || strings.HasSuffix(createdBy, "→"+p)
}

// storedFiles says, in one query, what may be done with each file the references name: by
// may attach its own uploads (OwnUpload), and no file that is already a material of another
// applicant's case — staff opening this case's materials would read another person's papers,
// on this applicant's data-access list. A file of the same applicant's earlier case (a bundle's
// shared papers, a resubmission) stays usable.
func (s *Service) storedFiles(ctx context.Context, by audit.Actor, applicantID string, refs ...[]MaterialRef) (map[string]fileState, error) {
	var ids []string
	for _, list := range refs {
		for _, r := range list {
			if r.FileID != "" {
				ids = append(ids, r.FileID)
			}
		}
	}
	state := map[string]fileState{}
	if len(ids) == 0 {
		return state, nil
	}
	// One round trip: each file's uploader and, since every case a file is a material of has one
	// applicant (this rule lets no other attach it), one such case's applicant tells whose papers
	// it is — an indexed look-up per file, not a scan of every case that reused it.
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.db.QueryContext(ctx, `SELECT f.id, f.created_by, (SELECT c.applicant_id_idx FROM case_materials m JOIN cases c ON c.number = m.case_number
		WHERE m.file_id = f.id LIMIT 1) FROM files f WHERE f.id IN (`+store.In(len(ids))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("files of the application: %w", err)
	}
	defer rows.Close()
	own := s.pii.Index(applicantID)
	for rows.Next() {
		var id, who string
		var holder sql.NullString
		if err := rows.Scan(&id, &who, &holder); err != nil {
			return nil, err
		}
		switch {
		case !OwnUpload(by, who):
		case holder.Valid && holder.String != own:
			state[id] = fileForeign
		default:
			state[id] = fileUsable
		}
	}
	return state, rows.Err()
}

// checkMaterials: every reference names a material of the item once, with a file this actor
// may attach (stored says which, see storedFiles) or a valid certificate of the material's type
// that the applicant holds.
func (s *Service) checkMaterials(ctx context.Context, item catalog.Item, refs []MaterialRef, applicantID string, stored map[string]fileState) error {
	var v errs.Validation
	seen := map[string]bool{}
	for i, r := range refs {
		f := fmt.Sprintf("materials[%d]", i)
		m, ok := materialByID(item, r.MaterialID)
		if !ok {
			v.Add(f+".material_id", fmt.Sprintf("事项没有编号为 %q 的材料", r.MaterialID))
			continue
		}
		if seen[r.MaterialID] {
			v.Add(f+".material_id", fmt.Sprintf("材料 %s 重复提交", m.Name))
		}
		seen[r.MaterialID] = true
		switch {
		case r.FileID != "" && r.CertificateID != "":
			v.Add(f, "上传的文件与电子证照只能选其一")
		case r.FileID != "":
			switch stored[r.FileID] {
			case fileMissing:
				v.Add(f+".file_id", fmt.Sprintf("材料 %s 的文件不存在或已失效，请重新上传", m.Name))
			case fileForeign:
				v.Add(f+".file_id", fmt.Sprintf("材料 %s 的文件已是其他申请人办件的材料，不能再用，请重新上传本申请人的文件", m.Name))
			}
		case r.CertificateID != "":
			if m.Source != catalog.SourceCertificate {
				v.Add(f+".certificate_id", fmt.Sprintf("材料 %s 不能用电子证照代替", m.Name))
			} else if err := s.certs.CheckUse(ctx, s.db, r.CertificateID, m.CertificateType, applicantID); err != nil {
				e, _ := errs.As(err)
				v.Add(f+".certificate_id", e.Message)
			}
		default:
			v.Add(f, "请上传文件或选用电子证照")
		}
	}
	return v.Err()
}

// saveMaterials records supplied materials; deferred says the case may have 容缺 commitments
// that these materials fulfil (never so at submission).
func (s *Service) saveMaterials(ctx context.Context, tx *store.Tx, number string, refs []MaterialRef, at time.Time, deferred bool) error {
	for _, r := range refs {
		var fileID, certID any
		if r.FileID != "" {
			fileID = r.FileID
		}
		if r.CertificateID != "" {
			certID = r.CertificateID
		}
		if err := tx.ExecLater(ctx, `INSERT INTO case_materials (case_number, material_id, file_id, certificate_id, supplied_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (case_number, material_id) DO UPDATE SET file_id = excluded.file_id, certificate_id = excluded.certificate_id, supplied_at = excluded.supplied_at`,
			number, r.MaterialID, fileID, certID, at); err != nil {
			return err
		}
		if !deferred {
			continue
		}
		if err := tx.ExecLater(ctx, `UPDATE case_deferred SET supplied_at = ? WHERE case_number = ? AND material_id = ? AND supplied_at IS NULL`,
			at, number, r.MaterialID); err != nil {
			return err
		}
	}
	return nil
}

// event appends to the timeline and the audit log in the same transaction.
func (s *Service) event(ctx context.Context, tx *store.Tx, by audit.Actor, number, action string, status Status, detail any, before any) error {
	d := ""
	if detail != nil {
		b, _ := json.Marshal(detail)
		d = string(b)
	}
	if err := tx.ExecLater(ctx, `INSERT INTO case_events (case_number, at, action, actor, role, status, detail) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		number, s.now().UTC().Truncate(time.Microsecond), action, by.Username, by.Role, string(status), d); err != nil {
		return err
	}
	after := map[string]any{"status": status}
	if detail != nil {
		after["detail"] = detail
	}
	return s.audit.Record(ctx, tx, by, "case."+action, "case", number, before, after)
}

const caseColumns = `number, item_code, item_version, item_name, department_code, bundle_code, status, channel, applicant_type, applicant_name,
	applicant_id_enc, applicant_phone_enc, form, missing, limit_value, limit_unit, accepted_on, paused_days, extended_days, suspended_on,
	due, yellow_from, red_from, decision, decision_reason, reject_reason, reject_basis, delivery_method, tracking_number, assignee, submitted_at,
	parent_number, stage, COALESCE(result_certificate, ''), decided_on, accepted_center, deciding_region, delivery_center, delivery_chosen <> 0,
	COALESCE((SELECT name FROM centers WHERE centers.code = cases.accepted_center), ''),
	COALESCE((SELECT name FROM regions WHERE regions.code = cases.deciding_region), ''),
	COALESCE((SELECT name FROM centers WHERE centers.code = cases.delivery_center), ''),
	COALESCE((SELECT name FROM departments WHERE departments.code = cases.department_code), '')`

type scanner interface{ Scan(dest ...any) error }

func (s *Service) scan(row scanner) (Case, error) {
	var c Case
	var bundle, parent sql.NullString
	var idEnc, phoneEnc, form, missing string
	var accepted, suspended, due, yellow, red, decided sql.NullString
	err := row.Scan(&c.Number, &c.Item, &c.ItemVersion, &c.ItemName, &c.Department.Code, &bundle, &c.Status, &c.Channel,
		&c.Applicant.Type, &c.Applicant.Name, &idEnc, &phoneEnc, &form, &missing, &c.Limit.Value, &c.Limit.Unit, &accepted,
		&c.PausedWorkingDays, &c.ExtendedDays, &suspended, &due, &yellow, &red, &c.Decision, &c.DecisionReason,
		&c.RejectReason, &c.RejectBasis, &c.DeliveryMethod, &c.TrackingNumber, &c.Assignee, &c.SubmittedAt, &parent, &c.Stage, &c.ResultCertificate, &decided,
		&c.AcceptedCenter, &c.DecidingRegion, &c.DeliveryCenter, &c.DeliveryChosen, &c.AcceptedCenterName, &c.DecidingRegionName, &c.DeliveryCenterName,
		&c.Department.Name)
	if err != nil {
		return c, err
	}
	if bundle.Valid {
		c.Bundle = &bundle.String
	}
	c.parent, c.Parent = parent.String, parent.String
	if c.Applicant.IDNumber, err = s.pii.Open(idEnc); err != nil {
		return c, err
	}
	if c.phone, err = s.pii.Open(phoneEnc); err != nil {
		return c, err
	}
	c.Form = json.RawMessage(form)
	_ = json.Unmarshal([]byte(missing), &c.Missing)
	c.AcceptedOn, c.suspended, c.Due, c.yellow, c.red = optDate(accepted), optDate(suspended), optDate(due), optDate(yellow), optDate(red)
	c.DecidedOn = optDate(decided)
	c.StatusName = StatusNames[c.Status]
	if c.DeliveryCenter == network.ByMail {
		c.DeliveryCenterName = "邮寄送达"
	}
	return c, nil
}

func optDate(s sql.NullString) *calendar.Date {
	if !s.Valid || s.String == "" {
		return nil
	}
	d, err := calendar.ParseDate(s.String)
	if err != nil {
		return nil
	}
	return &d
}

func dateArg(d *calendar.Date) any {
	if d == nil {
		return nil
	}
	return d.String()
}

// loadAtCommit reads the case, as the transaction will commit it, into *into: after every
// other write of the command, in the same round trip as the last of them on PostgreSQL.
func (s *Service) loadAtCommit(tx *store.Tx, number string, into *Case) {
	s.readAtCommit(tx, &caseLoad{}, number, into)
}

func (s *Service) readAtCommit(tx *store.Tx, l *caseLoad, number string, into *Case) {
	tx.BeforeCommit(func(ctx context.Context) error {
		// The reads go with the writes still to come (the audit entries, the kept figures'
		// changes), in one round trip on PostgreSQL; none of those touch what is read here.
		return tx.ReadLater(ctx, func() error {
			c, err := l.done(ctx, s)
			if err == nil {
				*into = c
			}
			return err
		}, l.reads(s, number)...)
	})
}

// load reads a case with its materials, 容缺, timeline and (for a bundle's parent) children —
// five independent reads, sent together — from the database or inside a transaction.
func (s *Service) load(ctx context.Context, r store.Reader, number string) (Case, error) {
	l := &caseLoad{}
	if err := r.ReadTogether(ctx, l.reads(s, number)...); err != nil {
		return Case{}, err
	}
	return l.done(ctx, s)
}

// caseLoad is what load reads: reads gives the reads, done completes the case from their rows.
// noChildren, noPayment, noTransfers, noOriginals and noDeferred leave out the reads of children,
// of the payment instruction, of the hand-offs, of the originals' sign-offs and of 容缺, for a case known to
// have none: one the command registered (createItem) has no children, a payment instruction
// only if its item pays (holdPayment), hand-offs, sign-offs and 容缺 only if the command wrote
// them.
type caseLoad struct {
	c                                               Case
	found                                           bool
	number                                          string
	children                                        []Child
	noChildren, noPayment, noTransfers, noOriginals bool
	noDeferred                                      bool // no 容缺 commitments: leave out their read
}

func (l *caseLoad) reads(s *Service, number string) []store.Read {
	l.number = number
	c, children := &l.c, &l.children
	reads := []store.Read{
		store.Read{Query: `SELECT ` + caseColumns + ` FROM cases WHERE number = ?`, Args: []any{number},
			Row: func(scan func(...any) error) (err error) {
				*c, err = s.scan(store.ScanFunc(scan)) // the first read: the lists below fill this c
				l.found = true
				return err
			}},
		store.Read{Query: `SELECT m.material_id, COALESCE(m.file_id, ''), COALESCE(m.certificate_id, ''), m.supplied_at,
			COALESCE(f.name, ''), COALESCE(f.content_type, ''), COALESCE(f.size, 0), COALESCE(t.name, ''), COALESCE(c.number, '')
			FROM case_materials m LEFT JOIN files f ON f.id = m.file_id
			LEFT JOIN certificates c ON c.id = m.certificate_id LEFT JOIN certificate_types t ON t.code = c.type_code
			WHERE m.case_number = ? ORDER BY m.material_id`,
			Args: []any{number}, Row: func(scan func(...any) error) error {
				var m CaseMaterial
				err := scan(&m.MaterialID, &m.FileID, &m.CertificateID, &m.SuppliedAt, &m.FileName, &m.ContentType, &m.Size,
					&m.CertificateName, &m.CertificateNumber)
				c.Materials = append(c.Materials, m)
				return err
			}},
		store.Read{Query: `SELECT at, action, actor, role, status, detail FROM case_events WHERE case_number = ? ORDER BY id`,
			Args: []any{number}, Row: func(scan func(...any) error) error {
				var e Event
				err := scan(&e.At, &e.Action, &e.Actor, &e.Role, &e.Status, &e.Detail)
				e.ActionName = audit.ActionName("case." + e.Action)
				e.Text = eventText(e.Detail)
				if strings.Contains(e.Detail, `"authorisation"`) {
					var d struct{ Authorisation string }
					_ = json.Unmarshal([]byte(e.Detail), &d)
					e.Authorisation = d.Authorisation
				}
				c.Timeline = append(c.Timeline, e)
				return err
			}},
	}
	if !l.noDeferred {
		reads = append(reads, store.Read{Query: `SELECT material_id, due, supplied_at IS NOT NULL FROM case_deferred WHERE case_number = ? ORDER BY material_id`,
			Args: []any{number}, Row: func(scan func(...any) error) error {
				var d Deferred
				err := scan(&d.MaterialID, &d.Due, &d.Supplied)
				c.Deferred = append(c.Deferred, d)
				return err
			}})
	}
	// 收件核验 and 材料流转 are written with a new case too (at intake).
	if !l.noOriginals {
		reads = append(reads, originalsRead(number, c))
	}
	if !l.noTransfers {
		reads = append(reads, transfersRead(number, c))
	}
	if !l.noPayment {
		reads = append(reads, s.paymentRead(number, c))
	}
	if l.noChildren {
		return reads
	}
	return append(reads,
		store.Read{Query: `SELECT number, item_code, item_name, department_code, stage, status, due, decision, decision_reason
			FROM cases WHERE parent_number = ? ORDER BY stage, number`,
			Args: []any{number}, Row: func(scan func(...any) error) error {
				var k Child
				var due sql.NullString
				err := scan(&k.Number, &k.Item, &k.ItemName, &k.Department, &k.Stage, &k.Status, &due, &k.Decision, &k.DecisionReason)
				k.Due, k.StatusName = optDate(due), StatusNames[k.Status]
				*children = append(*children, k)
				return err
			}})
}

// done completes the case read by l's reads.
func (l *caseLoad) done(ctx context.Context, s *Service) (Case, error) {
	c, children := l.c, l.children
	if !l.found {
		return Case{}, errs.NotFound("办件", l.number)
	}
	item, err := s.ItemOf(ctx, c)
	if err != nil {
		return c, err
	}
	if c.Department.Name == "" || c.Department.Code == item.Department.Code {
		c.Department.Name = item.Department.Name
	}
	for i := range c.Materials {
		c.Materials[i].Name = materialName(item, c.Materials[i].MaterialID)
	}
	for i := range c.Deferred {
		c.Deferred[i].Name = materialName(item, c.Deferred[i].MaterialID)
	}
	if len(c.Originals) > 0 || len(c.Transfers) > 0 {
		names, err := s.centerNames(ctx)
		if err != nil {
			return c, err
		}
		nameTransfers(names, c.Transfers)
		for i := range c.Originals {
			c.Originals[i].CenterName = cmp.Or(names[c.Originals[i].Center], c.Originals[i].Center)
		}
	}
	for i := range c.Originals {
		c.Originals[i].Name = materialName(item, c.Originals[i].MaterialID)
	}
	if c.Originals == nil {
		c.Originals = []OriginalCheck{}
	}
	if c.Transfers == nil {
		c.Transfers = []Transfer{}
	}
	c.Children = children
	if c.Children == nil {
		c.Children = []Child{}
	}
	if c.Missing == nil {
		c.Missing = []string{}
	}
	if c.Deferred == nil {
		c.Deferred = []Deferred{}
	}
	if c.Materials == nil {
		c.Materials = []CaseMaterial{}
	}
	return c, nil
}

// MaterialNames names materials as people read them: by their names in the item's guide (a
// bundle's "item：material"), never by their ids.
func (s *Service) MaterialNames(ctx context.Context, item catalog.Item, ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = s.materialName(ctx, item, id)
	}
	return out
}

// materialName is a material's name in the item's guide (its id if the guide no longer has it).
func materialName(item catalog.Item, id string) string {
	if m, ok := materialByID(item, id); ok {
		return m.Name
	}
	return id
}

// present fills the derived fields (warning, days left) and masks personal data for viewers
// whose work does not need it. fullRead says the caller asked for the full values (audited).
func (s *Service) present(ctx context.Context, viewer audit.Actor, c Case, fullRead bool) Case {
	today := s.today()
	if cal, err := s.cal.Calendar(ctx); err == nil && c.Due != nil {
		c.Warning = Warning(cal, s.policy, c.Status, today, *c.Due, c.Limit.Value)
		if c.Status == Accepted {
			if left, err := cal.WorkingDaysBetween(today, *c.Due); err == nil {
				c.DaysLeft = &left
			}
		}
	}
	if c.Warning == "" {
		c.Warning = WarnNone
	}
	if !fullRead || !identity.SeesFullPersonalData(identity.Role(viewer.Role)) {
		c.Applicant.IDNumber = identity.MaskID(c.Applicant.IDNumber)
		c.Applicant.Phone = identity.MaskPhone(c.phone)
	} else {
		c.Applicant.Phone = c.phone
	}
	return c
}

func (s *Service) today() calendar.Date { return calendar.DateOf(s.now(), s.loc) }

// Get returns a case for a viewer who may see it. Clerks and approvers see the applicant's full
// ID and phone (their work needs them), and each such read is recorded in the audit log.
func (s *Service) Get(ctx context.Context, viewer audit.Actor, number string) (_ Case, err error) {
	defer errs.Wrap(&err, "cases.Get")
	c, err := s.load(ctx, s.db, number)
	if err != nil {
		return c, err
	}
	if err := canView(viewer, c); err != nil {
		return c, err
	}
	full := identity.SeesFullPersonalData(identity.Role(viewer.Role))
	if full {
		err := s.db.Tx(ctx, func(tx *store.Tx) error {
			// On the applicant's own list: who saw their ID and phone, for this case — once per reader,
			// case and day (the page shows them in full on every view; ten views in a morning are one
			// look at the same data, and the audit log keeps each view).
			day := s.today().Time(s.loc)
			if err := s.certs.RecordAccessOnce(ctx, tx, viewer, c.Applicant.IDNumber, certs.Access{ObjectType: "personal_data", ObjectID: number,
				ObjectName: "身份证件号码、手机号码", Case: number, Purpose: "办件审查"}, day); err != nil {
				return err
			}
			return s.audit.Record(ctx, tx, viewer, "case.read_personal_data", "case", number, nil, map[string]string{"fields": "applicant.id_number,applicant.phone"})
		})
		if err != nil {
			return c, err
		}
	}
	return s.present(ctx, viewer, c, full), nil
}

// ReadCertificate gives a staff member working on a case one of its certificates in full, and
// records the read on the holder's list: the case must be one the reader may see, and the
// certificate must be one used for a material of the case, or the applicant's of a kind the
// item asks for (a case made up at the window does not open everything its "applicant" holds).
func (s *Service) ReadCertificate(ctx context.Context, viewer audit.Actor, number, certID, purpose string) (_ certs.Certificate, err error) {
	defer errs.Wrap(&err, "cases.ReadCertificate")
	number = strings.TrimSpace(number)
	if number == "" { // the purpose, and the rest of the rule of a read, is certs.RecordAccess's
		return certs.Certificate{}, errs.Invalid("case", "查看他人数据须说明所办理的办件编号")
	}
	c, err := s.load(ctx, s.db, number)
	if errs.Is(err, errs.CodeNotFound) {
		return certs.Certificate{}, errs.Invalid("case", "办件不存在："+number)
	}
	if err != nil {
		return certs.Certificate{}, err
	}
	if err := canView(viewer, c); err != nil {
		return certs.Certificate{}, err
	}
	if !identity.SeesFullPersonalData(identity.Role(viewer.Role)) {
		return certs.Certificate{}, errs.Forbidden("该角色不能调阅证照全文")
	}
	use := certs.CaseUse{Number: c.Number, ApplicantID: c.Applicant.IDNumber}
	for _, m := range c.Materials {
		if m.CertificateID != "" {
			use.Used = append(use.Used, m.CertificateID)
		}
	}
	if !c.isParent() { // the applicant's certificates of the kinds the item asks for (not every one they hold)
		it, err := s.ItemOf(ctx, c)
		if err != nil {
			return certs.Certificate{}, err
		}
		for _, m := range it.Materials {
			if m.Source == catalog.SourceCertificate && m.CertificateType != "" {
				use.Types = append(use.Types, m.CertificateType)
			}
		}
	}
	return s.certs.Read(ctx, viewer, certID, use, purpose)
}

// canView: approvers see their own department's cases; the other staff roles see all.
func canView(viewer audit.Actor, c Case) error {
	if identity.Role(viewer.Role) == identity.Approver && viewer.Department != c.Department.Code {
		return errs.Forbidden("该办件属于其他部门")
	}
	if !AtWindowOf(viewer, c.AcceptedCenter, c.DeliveryCenter) {
		return errs.Forbidden("该办件不在本中心受理或出件")
	}
	return nil
}

// TrackPublic lets an applicant follow a case with its number and the last four digits of the
// phone number, without signing in. Nothing personal is shown. Wrong guesses from the client
// address addr are limited (identity.TrackLimits); a right answer spends nothing.
func (s *Service) TrackPublic(ctx context.Context, number, last4, addr string) (_ Case, err error) {
	defer errs.Wrap(&err, "cases.TrackPublic")
	limits := identity.TrackLimits(number, addr)
	if ok, err := s.limits.Spend(ctx, limits...); err != nil {
		return Case{}, fmt.Errorf("track case %s: limit: %w", number, err)
	} else if !ok {
		return Case{}, errs.TooManyRequestsAfter("查询失败次数过多，请稍后再试；您也可以凭手机验证码登录“我的办事”查看办件", identity.TrackWait)
	}
	c, err := s.trackPublic(ctx, number, last4)
	if err == nil {
		if err := s.limits.Refund(ctx, limits...); err != nil {
			return Case{}, fmt.Errorf("track case %s: refund: %w", number, err)
		}
	}
	return c, err
}

func (s *Service) trackPublic(ctx context.Context, number, last4 string) (Case, error) {
	c, err := s.load(ctx, s.db, number)
	if err == nil && (len(last4) != 4 || len(c.phone) < 4 || c.phone[len(c.phone)-4:] != last4) {
		err = errs.NotFound("办件", number)
	}
	if errs.Is(err, errs.CodeNotFound) {
		return Case{}, errs.NotFound("办件", number) // the same answer for a wrong number and a wrong phone
	}
	if err != nil {
		return Case{}, fmt.Errorf("track case %s: %w", number, err) // the database, not the citizen
	}
	if err := s.markInTransit(ctx, &c); err != nil {
		return Case{}, fmt.Errorf("track case %s: %w", number, err)
	}
	c = s.present(ctx, audit.Actor{Role: "public"}, c, false)
	c.Applicant.Name = identity.MaskName(c.Applicant.Name)
	c.Form, c.Materials = nil, nil
	c.Originals, c.Transfers = []OriginalCheck{}, []Transfer{}
	c.Timeline, c.Assignee = CitizenTimeline(c.Timeline), "" // the center's own work (认领, 预警…) stays inside
	for i := range c.Timeline {
		text := ""
		if c.Timeline[i].Action == "route" { // the places (受理地 → 审批地 → 出件地), public anyway
			if t := eventText(c.Timeline[i].Detail); t != "" {
				b, _ := json.Marshal(map[string]string{"text": t})
				text = string(b)
			}
		}
		c.Timeline[i].Actor, c.Timeline[i].Detail, c.Timeline[i].Authorisation = "", text, ""
	}
	return c, nil
}

// Query filters the case list.
type Query struct {
	Status     string
	Department string
	Warning    string
	Limit      int
	Offset     int
}

// List returns a page of cases, soonest due first. Approvers see their department only, a
// center's clerks the cases accepted or handed out there (AtWindowOf).
func (s *Service) List(ctx context.Context, viewer audit.Actor, q Query) (_ []Case, _ int, err error) {
	defer errs.Wrap(&err, "cases.List")
	where, args := "1=1", []any{}
	if identity.Role(viewer.Role) == identity.Approver {
		q.Department = viewer.Department
	}
	if q.Department != "" {
		where += " AND department_code = ?"
		args = append(args, q.Department)
	}
	if identity.Role(viewer.Role) == identity.Clerk && viewer.Center != "" { // AtWindowOf
		where += " AND (accepted_center = ? OR delivery_center = ?)"
		args = append(args, viewer.Center, viewer.Center)
	}
	if q.Status != "" {
		if !slices.Contains(Statuses, Status(q.Status)) {
			return nil, 0, errs.Invalid("status", "未知的状态（请从列表中选择）")
		}
		where += " AND status = ?"
		args = append(args, q.Status)
	}
	today := s.today().String()
	switch q.Warning {
	case "":
	case WarnRed:
		where += " AND status = 'accepted' AND red_from <= ?"
		args = append(args, today)
	case WarnYellow:
		where += " AND status = 'accepted' AND yellow_from <= ? AND red_from > ?"
		args = append(args, today, today)
	case WarnNone:
		where += " AND NOT (status = 'accepted' AND yellow_from <= ?)"
		args = append(args, today)
	default:
		return nil, 0, errs.Invalid("warning", "预警须为无预警、黄色预警或红色预警")
	}
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 50
	}
	// Within one status the due dates are all set or all empty, so the queue index gives the
	// order directly; a list of mixed statuses puts the cases without a deadline last.
	order := "CASE WHEN due IS NULL THEN 1 ELSE 0 END, due, number"
	if q.Status != "" {
		order = "due, number"
	}
	var total int
	out := []Case{}
	err = s.db.ReadTogether(ctx, // the count and the page in one round trip
		store.Read{Query: `SELECT COUNT(*) FROM cases WHERE ` + where, Args: args, Row: func(scan func(...any) error) error { return scan(&total) }},
		store.Read{Query: `SELECT ` + caseColumns + ` FROM cases WHERE ` + where + ` ORDER BY ` + order + ` LIMIT ? OFFSET ?`,
			Args: append(slices.Clip(args), q.Limit, q.Offset), Row: func(scan func(...any) error) error {
				c, err := s.scan(store.ScanFunc(scan))
				c.Missing, c.Deferred, c.Materials, c.Timeline, c.Children = nil, nil, nil, nil, nil
				out = append(out, c)
				return err
			}})
	if err != nil {
		return nil, 0, err
	}
	if err := s.withPaymentTrouble(ctx, out); err != nil { // 支付被拒 / 发送失败 on the list (paybadge.go)
		return nil, 0, err
	}
	for i := range out {
		out[i] = s.present(ctx, viewer, out[i], false)
	}
	return out, total, nil
}

// ItemOf is the item version a case was made under; for a bundle's parent, the bundle as an item.
func (s *Service) ItemOf(ctx context.Context, c Case) (_ catalog.Item, err error) {
	defer errs.Wrap(&err, "cases.ItemOf")
	if !c.isParent() {
		return s.cat.ItemVersion(ctx, c.Item, c.ItemVersion)
	}
	b, err := s.cat.BundleVersion(ctx, c.Item, c.ItemVersion)
	if err != nil {
		return catalog.Item{}, err
	}
	return catalog.Item{Code: b.Code, Version: b.Version, Name: b.Name, PromisedLimit: b.PromisedLimit, Department: catalog.Ref{Name: "一件事（综合窗口）"},
		ResultName: "各事项办理结果", DeliveryMethods: catalog.DeliveryMethods}, nil
}

func newVerifyCode() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}

// OfApplicant lists an applicant's own cases, newest first: what their account and the kiosk
// show after sign-in (their own data, unmasked; bundle children appear under their bundle).
func (s *Service) OfApplicant(ctx context.Context, idNumber string, limit int) (_ []Case, err error) {
	defer errs.Wrap(&err, "cases.OfApplicant")
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE applicant_id_idx = ? AND parent_number IS NULL
		ORDER BY submitted_at DESC, number DESC LIMIT ?`, s.pii.Index(idNumber), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Case{}
	for rows.Next() {
		c, err := s.scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s.ownView(ctx, c))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if err := s.withPaymentTrouble(ctx, out); err != nil { // told plainly on the applicant's list (paybadge.go)
		return nil, err
	}
	return out, nil
}

// Own returns one of the applicant's cases with its timeline; another's case is "not found".
func (s *Service) Own(ctx context.Context, idNumber, number string) (_ Case, err error) {
	defer errs.Wrap(&err, "cases.Own")
	c, err := s.load(ctx, s.db, number)
	if err != nil && !errs.Is(err, errs.CodeNotFound) {
		return Case{}, fmt.Errorf("applicant's case %s: %w", number, err) // the database, not the citizen
	}
	if err != nil || c.Applicant.IDNumber != identity.NormalizeID(idNumber) {
		return Case{}, errs.NotFound("办件", number) // the same answer for another's case
	}
	return s.ownView(ctx, c), nil
}

// OfSession lists what a signed-in applicant may see of their principal's cases: all of them
// for the principal, only the items of the mandate for an agent (with the organisation's credit
// code and phone masked).
func (s *Service) OfSession(ctx context.Context, sess identity.ApplicantSession, limit int) (_ []Case, err error) {
	defer errs.Wrap(&err, "cases.OfSession")
	all, err := s.OfApplicant(ctx, sess.Principal().IDNumber, limit)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, c := range all {
		if sess.MayRead(c.Item) {
			out = append(out, maskForAgent(sess, c))
		}
	}
	return out, nil
}

// OwnBy returns one of the principal's cases to a signed-in applicant; a case outside an agent's
// mandate is "not found", like anyone else's.
func (s *Service) OwnBy(ctx context.Context, sess identity.ApplicantSession, number string) (_ Case, err error) {
	defer errs.Wrap(&err, "cases.OwnBy")
	c, err := s.Own(ctx, sess.Principal().IDNumber, number)
	if err != nil {
		return c, err
	}
	if !sess.MayRead(c.Item) {
		return Case{}, errs.NotFound("办件", number)
	}
	return maskForAgent(sess, c), nil
}

func maskForAgent(sess identity.ApplicantSession, c Case) Case {
	if sess.ActingFor != nil {
		c.Applicant.IDNumber, c.Applicant.Phone = identity.MaskID(c.Applicant.IDNumber), identity.MaskPhone(c.Applicant.Phone)
	}
	return c
}

// markInTransit sets c.ResultInTransit: a decided case, not handed over, whose paper result (a
// bundle's: a member's) is not yet signed for at its 出件地 (ResultsAwaited).
func (s *Service) markInTransit(ctx context.Context, c *Case) error {
	if c.DecidedOn == nil || c.Status == Delivered || c.DeliveryMethod == "electronic" {
		return nil
	}
	awaited, err := s.ResultsAwaited(ctx, []string{c.Number})
	if err != nil {
		return err
	}
	_, c.ResultInTransit = awaited[c.Number]
	return nil
}

func (s *Service) ownView(ctx context.Context, c Case) Case {
	if err := s.markInTransit(ctx, &c); err != nil { // not told: the page says 请领取 as before
		s.logger.WarnContext(ctx, "result in transit", "case", c.Number, "err", err)
	}
	id := c.Applicant.IDNumber
	c = s.present(ctx, audit.Actor{Role: "applicant"}, c, false)
	c.Applicant.IDNumber, c.Applicant.Phone = id, c.phone
	c.Timeline, c.Assignee = CitizenTimeline(c.Timeline), ""   // the center's own work (认领, 预警…) stays inside
	c.Originals, c.Transfers = []OriginalCheck{}, []Transfer{} // the centers' paper work (who checked, who sent) stays inside
	for i := range c.Timeline {
		c.Timeline[i].Actor = "" // staff names stay inside the center; the step and time are shown
	}
	return c
}

// reuseCertificates: materials are never asked twice. A certificate material the application
// did not supply is taken from the applicant's valid certificate of that type, if they hold one
// (免提交); when staff or another department do it, the read goes on the applicant's
// data-access list with the case number.
func (s *Service) reuseCertificates(ctx context.Context, tx *store.Tx, by audit.Actor, number string, n newCase) ([]MaterialRef, error) {
	if n.applicant.IDNumber == "" {
		return nil, nil
	}
	given := map[string]bool{}
	for _, m := range n.materials {
		given[m.MaterialID] = true
	}
	var out []MaterialRef
	for _, m := range n.item.Materials {
		if m.Source != catalog.SourceCertificate || given[m.ID] {
			continue
		}
		c, err := s.certs.Usable(ctx, n.applicant.IDNumber, m.CertificateType)
		if errs.Is(err, errs.CodeNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !SameName(c.HolderName, n.applicant.Name) { // the number may be mistyped, or the name: never attach another's certificate
			return nil, errs.Invalid("applicant.name", holderClash(n.applicant, c))
		}
		out = append(out, MaterialRef{MaterialID: m.ID, CertificateID: c.ID})
		if by.Role == "applicant" {
			continue // the holder's own application
		}
		if err := s.certs.RecordAccess(ctx, tx, by, n.applicant.IDNumber, certs.Access{ObjectType: "certificate", ObjectID: c.ID,
			ObjectName: c.Type + " " + c.Number, Case: number, Purpose: "免提交：以电子证照代替" + m.Name}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// holderClash says that the applicant's name is not the one the library's certificate c bears.
func holderClash(a Applicant, c certs.Certificate) string {
	return fmt.Sprintf("申请人名称「%s」与电子证照库中该证件号码的持证人「%s」不一致，不能以其%s免提交：请核对名称和证件号码",
		a.Name, c.HolderName, c.Type)
}

// holderClashes are what reuseCertificates would refuse, read before anything is written: the
// certificates the library holds for the applicant's number, for materials not supplied, whose
// holder bears another name (once per field, as reuseCertificates stops at the first).
func (s *Service) holderClashes(ctx context.Context, item catalog.Item, a Applicant, refs []MaterialRef) ([]errs.FieldError, error) {
	if strings.TrimSpace(a.IDNumber) == "" || strings.TrimSpace(a.Name) == "" {
		return nil, nil
	}
	given := map[string]bool{}
	for _, m := range refs {
		given[m.MaterialID] = true
	}
	for _, m := range item.Materials {
		if m.Source != catalog.SourceCertificate || given[m.ID] {
			continue
		}
		c, err := s.certs.Usable(ctx, a.IDNumber, m.CertificateType)
		if errs.Is(err, errs.CodeNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !SameName(c.HolderName, a.Name) {
			return []errs.FieldError{{Field: "applicant.name", Message: holderClash(a, c)}}, nil
		}
	}
	return nil, nil
}

// SameName reports whether two names of a person or organisation are the same as people write
// them: spaces and the width of brackets and middle dots do not count.
func SameName(a, b string) bool {
	norm := strings.NewReplacer(" ", "", "\u3000", "", "（", "(", "）", ")", "・", "·", "•", "·", "．", "·").Replace
	return norm(strings.TrimSpace(a)) == norm(strings.TrimSpace(b))
}
