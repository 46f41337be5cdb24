package cases

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"banhao/audit"
	"banhao/catalog"
	"banhao/errs"
	"banhao/identity"
	"banhao/network"
	"banhao/store"
)

// Paper hand-offs of 收受分离 (材料流转) and the originals' check at the accepting center (收件核验).
// A case accepted at one center and decided in another region sends its paper materials to the
// deciding region's center; a result handed out at a center other than the deciding one is sent
// there. Each hand-off is a row of case_transfers: 待寄出 → 已寄出 (with the batch or tracking
// note) → 已签收. The rules are plain functions (Legs, TransferNext, TransferReady, MayConfirm,
// MayCheckOriginals); the service writes each step with its timeline entry and audit entry.

// Kinds of paper a case sends.
const (
	TransferMaterials = "materials" // the application's paper materials: accepting center → deciding center
	TransferResult    = "result"    // the decision's paper result: deciding center → 出件地
)

// Transfer states.
const (
	TransferPending  = "pending"  // 待寄出
	TransferSent     = "sent"     // 已寄出
	TransferReceived = "received" // 已签收
)

// TransferKindNames and TransferStatusNames are the words pages show.
var (
	TransferKindNames   = map[string]string{TransferMaterials: "申请材料", TransferResult: "办理结果"}
	TransferStatusNames = map[string]string{TransferPending: "待寄出", TransferSent: "已寄出", TransferReceived: "已签收"}
)

// Leg is one hand-off of paper a case needs.
type Leg struct {
	Kind, From, To string
}

// Legs says which hand-offs of paper a routed case needs, whatever the channel: its paper
// materials go from the accepting center to the deciding region's center when those differ —
// only an application taken at a window has paper materials (online and at a kiosk they are
// files: the kiosk scans, it keeps no paper); its paper result goes from the deciding center to
// the 出件地 when that is another center (never for the post, which the deciding department
// sends itself) — a window's, a kiosk's or an online applicant's chosen center alike.
func Legs(r Route, channel string) []Leg {
	if r.DecidingCenter == "" || r.AcceptedCenter == "" {
		return nil
	}
	var legs []Leg
	if selfAccepting(channel) && r.AcceptedCenter != r.DecidingCenter {
		legs = append(legs, Leg{TransferMaterials, r.AcceptedCenter, r.DecidingCenter})
	}
	if r.Delivery != "" && r.Delivery != network.ByMail && r.Delivery != r.DecidingCenter {
		legs = append(legs, Leg{TransferResult, r.DecidingCenter, r.Delivery})
	}
	return legs
}

// TransferNext is the state machine of a hand-off: send takes 待寄出 to 已寄出, receive takes
// 已寄出 to 已签收; anything else is a conflict saying where the hand-off stands.
func TransferNext(status, action string) (string, error) {
	switch {
	case action == "send" && status == TransferPending:
		return TransferSent, nil
	case action == "receive" && status == TransferSent:
		return TransferReceived, nil
	case action == "send":
		return "", errs.Conflict(fmt.Sprintf("该流转单%s，不能再寄出", TransferStatusNames[status]))
	case action == "receive" && status == TransferPending:
		return "", errs.Conflict("该流转单尚未寄出，不能签收")
	case action == "receive":
		return "", errs.Conflict(fmt.Sprintf("该流转单%s，不能再签收", TransferStatusNames[status]))
	}
	return "", errs.Invalid("action", "操作须为寄出或签收")
}

// TransferReady says whether the paper of a hand-off exists to be sent, from its case's status:
// materials once the case is accepted (an application refused, withdrawn or still awaiting
// corrections sends nothing), the result once the case is decided.
func TransferReady(kind string, s Status) bool {
	switch kind {
	case TransferMaterials:
		return s == Accepted || s == Suspended || s == Decided || s == Delivered || s == Revoked
	case TransferResult:
		return s == Decided || s == Delivered || s == Revoked
	}
	return false
}

// MayConfirm is the rule of who confirms a step of a hand-off: a window clerk of the sending
// center sends it, a window clerk of the receiving center signs for it. center is the clerk's
// own center (the main center's code for a clerk of no center).
func MayConfirm(by audit.Actor, center string, t Transfer, action string) error {
	if identity.Role(by.Role) != identity.Clerk {
		return errs.Forbidden("材料流转由综合窗口人员确认")
	}
	switch action {
	case "send":
		if center != t.From {
			return errs.Forbidden(fmt.Sprintf("该流转单由%s寄出，本中心不能确认寄出", t.FromName))
		}
	case "receive":
		if center != t.To {
			return errs.Forbidden(fmt.Sprintf("该流转单寄往%s，由该中心签收", t.ToName))
		}
	}
	return nil
}

// MayCheckOriginals is the rule of 收件核验: a window clerk of the accepting center signs off the
// originals while the paper is still there — the case is not ended and its materials have not
// been sent (materials is the case's materials hand-off, nil when it has none).
func MayCheckOriginals(by audit.Actor, center string, c Case, materials *Transfer) error {
	if identity.Role(by.Role) != identity.Clerk {
		return errs.Forbidden("收件核验由受理中心的综合窗口人员办理")
	}
	if center != c.AcceptedCenter {
		return errs.Forbidden(fmt.Sprintf("收件核验由受理地%s办理", c.AcceptedCenterName))
	}
	if c.Status == Rejected || c.Status == Withdrawn || c.Status == Terminated {
		return errs.Conflict("办件已" + StatusNames[c.Status] + "，不能再核验原件")
	}
	if materials != nil && materials.Status != TransferPending {
		return errs.Conflict("申请材料已寄出，不在本中心，不能再核验原件")
	}
	return nil
}

// CenterOfRegion is the center that serves a region: one of the region's own centers (the main
// one first, then by code), else the center of the nearest region above it. ok is false when no
// center's region contains it.
func CenterOfRegion(centers []network.Center, region string) (network.Center, bool) {
	var best network.Center
	found := false
	for _, c := range centers {
		if c.RegionCode != region && !network.Within(region, c.RegionCode) {
			continue
		}
		if !found || len(network.Prefix(c.RegionCode)) > len(network.Prefix(best.RegionCode)) ||
			c.RegionCode == best.RegionCode && (c.Main && !best.Main || c.Main == best.Main && c.Code < best.Code) {
			best, found = c, true
		}
	}
	return best, found
}

// Transfer is one hand-off of a case's paper between centers.
type Transfer struct {
	ID             int64      `json:"id"`
	Case           string     `json:"case_number"`
	ItemName       string     `json:"item_name"`
	ApplicantName  string     `json:"applicant_name"`
	CaseStatus     Status     `json:"case_status"`
	Kind           string     `json:"kind"`
	KindName       string     `json:"kind_name"`
	From           string     `json:"from_center"`
	FromName       string     `json:"from_center_name"`
	To             string     `json:"to_center"`
	ToName         string     `json:"to_center_name"`
	Status         string     `json:"status"`
	StatusName     string     `json:"status_name"`
	Ready          bool       `json:"ready"` // the paper exists to be sent (TransferReady)
	CreatedAt      time.Time  `json:"created_at"`
	Batch          string     `json:"batch,omitempty"`
	SentBy         string     `json:"sent_by,omitempty"` // the account; *Name the person's name
	SentByName     string     `json:"sent_by_name,omitempty"`
	SentAt         *time.Time `json:"sent_at,omitempty"`
	ReceivedBy     string     `json:"received_by,omitempty"`
	ReceivedByName string     `json:"received_by_name,omitempty"`
	ReceivedAt     *time.Time `json:"received_at,omitempty"`
}

// OriginalCheck is the accepting center's sign-off of one material's originals (收件核验).
type OriginalCheck struct {
	MaterialID  string    `json:"material_id"`
	Name        string    `json:"name"`
	Center      string    `json:"center"`
	CenterName  string    `json:"center_name"`
	CheckedBy   string    `json:"checked_by"`
	CheckerName string    `json:"checker_name"`
	CheckedAt   time.Time `json:"checked_at"`
}

// openTransfers writes the hand-offs a new routed case needs (Legs), in its transaction, but
// those of kind skip: the result's of 一柜办结 (made and handed over at the window), the
// materials' of a bundle's later stage (its paper went with the first stage's members).
func (s *Service) openTransfers(ctx context.Context, tx *store.Tx, number string, r Route, channel, skip string) error {
	_, err := s.openTransfersN(ctx, tx, number, r, channel, skip)
	return err
}

// openTransfersN is openTransfers, saying how many hand-offs it opened.
func (s *Service) openTransfersN(ctx context.Context, tx *store.Tx, number string, r Route, channel, skip string) (int, error) {
	now := s.now().UTC().Truncate(time.Microsecond)
	opened := 0
	for _, l := range Legs(r, channel) {
		if l.Kind == skip {
			continue
		}
		if err := tx.ExecLater(ctx, `INSERT INTO case_transfers (case_number, kind, from_center, to_center, status, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			number, l.Kind, l.From, l.To, TransferPending, now); err != nil {
			return opened, fmt.Errorf("cases: open the %s hand-off of %s: %w", l.Kind, number, err)
		}
		opened++
	}
	return opened, nil
}

// ownCenter is the center an account works at: its own, or the main center for none.
func (s *Service) ownCenter(ctx context.Context, by audit.Actor) (string, error) {
	if by.Center != "" {
		return by.Center, nil
	}
	centers, err := s.net.Centers(ctx)
	if err != nil {
		return "", fmt.Errorf("cases: the actor's center: %w", err)
	}
	main, _ := network.MainCenter(centers)
	return main.Code, nil
}

// TransferQuery selects hand-offs: those from or to a center, in a state.
type TransferQuery struct {
	Center string
	Status string
}

// transferColumns are a hand-off's columns as scanTransfer reads them; the centers' names come
// from the network's snapshot (nameTransfers), not from the database.
const transferColumns = `t.id, t.case_number, c.item_name, c.applicant_name, c.status, t.kind, t.from_center,
	t.to_center, t.status, t.created_at, t.batch,
	t.sent_by, COALESCE((SELECT COALESCE(NULLIF(u.display_name, ''), u.username) FROM users u WHERE u.username = t.sent_by), t.sent_by), t.sent_at,
	t.received_by, COALESCE((SELECT COALESCE(NULLIF(u.display_name, ''), u.username) FROM users u WHERE u.username = t.received_by), t.received_by), t.received_at`

func scanTransfer(scan func(...any) error) (Transfer, error) {
	var t Transfer
	var sent, received sql.NullTime
	err := scan(&t.ID, &t.Case, &t.ItemName, &t.ApplicantName, &t.CaseStatus, &t.Kind, &t.From, &t.To,
		&t.Status, &t.CreatedAt, &t.Batch, &t.SentBy, &t.SentByName, &sent, &t.ReceivedBy, &t.ReceivedByName, &received)
	if sent.Valid {
		t.SentAt = &sent.Time
	}
	if received.Valid {
		t.ReceivedAt = &received.Time
	}
	t.KindName, t.StatusName = TransferKindNames[t.Kind], TransferStatusNames[t.Status]
	t.Ready = TransferReady(t.Kind, t.CaseStatus)
	return t, err
}

// centerNames are the network's centers' names by code, from its in-memory snapshot.
func (s *Service) centerNames(ctx context.Context) (map[string]string, error) {
	centers, err := s.net.Centers(ctx)
	if err != nil {
		return nil, fmt.Errorf("cases: the centers' names: %w", err)
	}
	names := make(map[string]string, len(centers))
	for _, c := range centers {
		names[c.Code] = c.Name
	}
	return names, nil
}

// nameCenters names the hand-off's centers (a center no longer in the network by its code).
func (t *Transfer) nameCenters(names map[string]string) {
	t.FromName, t.ToName = cmp.Or(names[t.From], t.From), cmp.Or(names[t.To], t.To)
}

func nameTransfers(names map[string]string, ts []Transfer) {
	for i := range ts {
		ts[i].nameCenters(names)
	}
}

// Transfers lists hand-offs (newest last, at most 500): a window clerk or hall manager sees only
// their own center's (asking for another center is refused); an admin or supervisor any center's.
// Center empty: the viewer's own (everyone's for an admin or supervisor).
func (s *Service) Transfers(ctx context.Context, viewer audit.Actor, q TransferQuery) (_ []Transfer, err error) {
	defer errs.Wrap(&err, "cases.Transfers")
	q.Center, q.Status = strings.TrimSpace(q.Center), strings.TrimSpace(q.Status)
	if q.Status != "" && TransferStatusNames[q.Status] == "" {
		return nil, errs.Invalid("status", "状态须为 pending（待寄出）、sent（已寄出）或 received（已签收）")
	}
	switch identity.Role(viewer.Role) {
	case identity.Clerk, identity.HallManager:
		own, err := s.ownCenter(ctx, viewer)
		if err != nil {
			return nil, err
		}
		if q.Center != "" && q.Center != own {
			return nil, errs.Forbidden("只能查看本中心的材料流转")
		}
		q.Center = own
	case identity.Admin, identity.Supervisor:
	default:
		return nil, errs.Forbidden("材料流转由综合窗口、中心管理和电子监察人员查看")
	}
	where, args := []string{"1 = 1"}, []any{}
	if q.Center != "" {
		where, args = append(where, "(t.from_center = ? OR t.to_center = ?)"), append(args, q.Center, q.Center)
	}
	if q.Status != "" {
		where, args = append(where, "t.status = ?"), append(args, q.Status)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+transferColumns+` FROM case_transfers t JOIN cases c ON c.number = t.case_number
		WHERE `+strings.Join(where, " AND ")+` ORDER BY t.id DESC LIMIT 500`, args...)
	if err != nil {
		return nil, fmt.Errorf("cases: transfers: %w", err)
	}
	defer rows.Close()
	out := []Transfer{}
	for rows.Next() {
		t, err := scanTransfer(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("cases: transfers: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cases: transfers: %w", err)
	}
	slices.Reverse(out)
	names, err := s.centerNames(ctx)
	if err != nil {
		return nil, err
	}
	nameTransfers(names, out)
	return out, nil
}

// SendTransfers confirms that the hand-offs ids left the center in one batch (a courier's run,
// a tracking number): each moves to 已寄出, its case's timeline and the audit log say so. One
// transaction: all are sent or none.
func (s *Service) SendTransfers(ctx context.Context, by audit.Actor, ids []int64, batch string) (_ []Transfer, err error) {
	defer errs.Wrap(&err, "cases.SendTransfers")
	batch = strings.TrimSpace(batch)
	var v errs.Validation
	v.Check(len(ids) > 0, "ids", "请选择要寄出的流转单")
	v.Check(batch != "" && utf8.RuneCountInString(batch) <= 100 && plainLine(batch), "batch", "寄送批次或快递单号必填，最多 100 字，不含换行")
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.stepTransfers(ctx, by, ids, "send", batch)
}

// ReceiveTransfer confirms that a hand-off arrived at the center (已签收).
func (s *Service) ReceiveTransfer(ctx context.Context, by audit.Actor, id int64) (_ Transfer, err error) {
	defer errs.Wrap(&err, "cases.ReceiveTransfer")
	out, err := s.stepTransfers(ctx, by, []int64{id}, "receive", "")
	if err != nil {
		return Transfer{}, err
	}
	return out[0], nil
}

func plainLine(s string) bool { return !strings.ContainsAny(s, "\r\n\t") }

func (s *Service) stepTransfers(ctx context.Context, by audit.Actor, ids []int64, action, batch string) ([]Transfer, error) {
	center, err := s.ownCenter(ctx, by)
	if err != nil {
		return nil, err
	}
	names, err := s.centerNames(ctx)
	if err != nil {
		return nil, err
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var out []Transfer
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		out = out[:0]
		for _, id := range ids { // in id order: two batches lock their rows in one order
			var t Transfer
			err := tx.ReadTogether(ctx, store.Read{Query: `SELECT ` + transferColumns + ` FROM case_transfers t JOIN cases c ON c.number = t.case_number
				WHERE t.id = ?` + tx.ForUpdate(), Args: []any{id}, Row: func(scan func(...any) error) (err error) {
				t, err = scanTransfer(scan)
				return err
			}})
			if err != nil {
				return err
			}
			if t.ID == 0 {
				return errs.NotFound("流转单", fmt.Sprint(id))
			}
			t.nameCenters(names)
			if err := MayConfirm(by, center, t, action); err != nil {
				return err
			}
			next, err := TransferNext(t.Status, action)
			if e, ok := errors.AsType[*errs.Error](err); ok {
				return errs.Conflict(fmt.Sprintf("办件 %s 的%s：%s", t.Case, t.KindName, e.Message))
			} else if err != nil {
				return err
			}
			if action == "send" && !t.Ready {
				what := "受理"
				if t.Kind == TransferResult {
					what = "办结"
				}
				return errs.Conflict(fmt.Sprintf("办件 %s 尚未%s，%s还不能寄出", t.Case, what, t.KindName))
			}
			now := s.now().UTC().Truncate(time.Microsecond)
			before := map[string]any{"transfer": t.ID, "status": t.Status}
			var text string
			if action == "send" {
				err = tx.ExecLater(ctx, `UPDATE case_transfers SET status = ?, batch = ?, sent_by = ?, sent_at = ? WHERE id = ?`, next, batch, by.Username, now, t.ID)
				text = fmt.Sprintf("%s已由%s寄往%s（批次/单号：%s）", t.KindName, t.FromName, t.ToName, batch)
			} else {
				err = tx.ExecLater(ctx, `UPDATE case_transfers SET status = ?, received_by = ?, received_at = ? WHERE id = ?`, next, by.Username, now, t.ID)
				text = fmt.Sprintf("%s已由%s签收（寄自%s）", t.KindName, t.ToName, t.FromName)
			}
			if err != nil {
				return err
			}
			step := "transfer_send"
			if action == "receive" {
				step = "transfer_receive"
			}
			if err := s.event(ctx, tx, by, t.Case, step, t.CaseStatus, map[string]any{"transfer": t.ID, "kind": t.Kind,
				"from_center": t.From, "to_center": t.To, "batch": batch, "text": text}, before); err != nil {
				return err
			}
			if action == "receive" && t.Kind == TransferResult { // the applicant may now collect it
				if err := s.tellArrived(ctx, tx, t.Case); err != nil {
					return err
				}
			}
		}
		args := make([]any, len(ids)) // read back as lists show them (the people's names)
		for i, id := range ids {
			args[i] = id
		}
		out = out[:0]
		return tx.ReadTogether(ctx, store.Read{Query: `SELECT ` + transferColumns + ` FROM case_transfers t JOIN cases c ON c.number = t.case_number
			WHERE t.id IN (` + store.In(len(ids)) + `) ORDER BY t.id`, Args: args, Row: func(scan func(...any) error) error {
			t, err := scanTransfer(scan)
			out = append(out, t)
			return err
		}})
	})
	if err != nil {
		return nil, fmt.Errorf("cases: %s transfers %v: %w", action, ids, err)
	}
	nameTransfers(names, out)
	return out, nil
}

// originalsRead reads a case's 收件核验 sign-offs into c.
func originalsRead(number string, c *Case) store.Read {
	return store.Read{Query: `SELECT o.material_id, o.center,
		o.checked_by, COALESCE((SELECT COALESCE(NULLIF(u.display_name, ''), u.username) FROM users u WHERE u.username = o.checked_by), o.checked_by),
		o.checked_at FROM case_originals o WHERE o.case_number = ? ORDER BY o.material_id`,
		Args: []any{number}, Row: func(scan func(...any) error) error {
			var o OriginalCheck
			err := scan(&o.MaterialID, &o.Center, &o.CheckedBy, &o.CheckerName, &o.CheckedAt)
			c.Originals = append(c.Originals, o)
			return err
		}}
}

// transfersRead reads a case's hand-offs into c.
func transfersRead(number string, c *Case) store.Read {
	return store.Read{Query: `SELECT ` + transferColumns + ` FROM case_transfers t JOIN cases c ON c.number = t.case_number
		WHERE t.case_number = ? ORDER BY t.id`, Args: []any{number}, Row: func(scan func(...any) error) error {
		t, err := scanTransfer(scan)
		c.Transfers = append(c.Transfers, t)
		return err
	}}
}

// NeedsOriginals lists the materials of an item whose originals the guide asks to see.
func NeedsOriginals(item catalog.Item) []string {
	var ids []string
	for _, m := range item.Materials {
		if m.Originals > 0 && m.Source != catalog.SourceShared {
			ids = append(ids, m.ID)
		}
	}
	return ids
}

// recordOriginals writes the clerk's sign-off of the originals of materials ids (those already
// signed off keep their first sign-off), with one timeline and audit entry.
func (s *Service) recordOriginals(ctx context.Context, tx *store.Tx, by audit.Actor, number, center string, item catalog.Item, status Status, ids []string) error {
	var v errs.Validation
	for _, id := range ids {
		v.Check(slices.ContainsFunc(item.Materials, func(m catalog.Material) bool { return m.ID == id }), "originals",
			fmt.Sprintf("材料“%s”不是该事项的申请材料", errs.Short(id)))
	}
	if err := v.Err(); err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	for _, id := range ids {
		if err := tx.ExecLater(ctx, `INSERT INTO case_originals (case_number, material_id, center, checked_by, checked_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (case_number, material_id) DO NOTHING`, number, id, center, by.Username, now); err != nil {
			return fmt.Errorf("cases: sign off the originals of %s: %w", number, err)
		}
	}
	names := make([]string, 0, len(ids))
	for _, id := range ids {
		names = append(names, materialName(item, id))
	}
	return s.event(ctx, tx, by, number, "originals_check", status, map[string]any{"materials": ids, "center": center,
		"text": "收件核验：原件已核验（" + strings.Join(names, "、") + "）"}, nil)
}

// CheckOriginals is 收件核验 after intake: the accepting center's clerk signs off the originals
// of materials ids while the paper is still there (MayCheckOriginals).
func (s *Service) CheckOriginals(ctx context.Context, by audit.Actor, number string, ids []string) (Case, error) {
	center, err := s.ownCenter(ctx, by)
	if err != nil {
		return Case{}, err
	}
	if len(ids) == 0 {
		return Case{}, errs.Invalid("originals", "请选择已核验原件的材料")
	}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		var status Status
		if err := tx.QueryRowContext(ctx, `SELECT status FROM cases WHERE number = ?`+tx.ForUpdate(), number).Scan(&status); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return errs.NotFound("办件", number)
			}
			return err
		}
		c, err := s.load(ctx, tx, number)
		if err != nil {
			return err
		}
		var materials *Transfer
		for i := range c.Transfers {
			if c.Transfers[i].Kind == TransferMaterials {
				materials = &c.Transfers[i]
			}
		}
		if err := MayCheckOriginals(by, center, c, materials); err != nil {
			return err
		}
		item, err := s.ItemOf(ctx, c)
		if err != nil {
			return err
		}
		return s.recordOriginals(ctx, tx, by, number, center, item, c.Status, ids)
	})
	if err != nil {
		return Case{}, fmt.Errorf("cases: check the originals of %s: %w", number, err)
	}
	return s.Get(ctx, by, number)
}

// OriginalsCheckable says whether by may sign off c's originals now (MayCheckOriginals): the
// case page offers the form only then.
func (s *Service) OriginalsCheckable(ctx context.Context, by audit.Actor, c Case) bool {
	center, err := s.ownCenter(ctx, by)
	if err != nil { // the page then offers no sign-off; the cause is not lost
		s.logger.WarnContext(ctx, "originals check offered", "case", c.Number, "err", err)
		return false
	}
	var materials *Transfer
	for i := range c.Transfers {
		if c.Transfers[i].Kind == TransferMaterials {
			materials = &c.Transfers[i]
		}
	}
	return MayCheckOriginals(by, center, c, materials) == nil
}

// CenterTransfers is one center's hand-offs as its page shows them.
type CenterTransfers struct {
	Center network.Center // the center shown (its code alone for a center no longer in the network)
	// Centers are those a viewer may pick from: every center for an admin or supervisor, none
	// for a clerk or hall manager (their own center's only).
	Centers []network.Center
	TransferBoard
}

// CenterTransfersOf is a center's hand-offs for viewer: a clerk's or hall manager's own center
// (center must be empty or theirs), another viewer's choice of center (empty: the main center).
func (s *Service) CenterTransfersOf(ctx context.Context, viewer audit.Actor, center string) (_ CenterTransfers, err error) {
	defer errs.Wrap(&err, "cases.CenterTransfersOf")
	var out CenterTransfers
	all, err := s.net.Centers(ctx)
	if err != nil {
		return out, fmt.Errorf("cases: transfers' centers: %w", err)
	}
	center = strings.TrimSpace(center)
	switch identity.Role(viewer.Role) {
	case identity.Clerk, identity.HallManager:
		own, err := s.ownCenter(ctx, viewer)
		if err != nil {
			return out, err
		}
		if center != "" && center != own {
			return out, errs.Forbidden("只能查看本中心的材料流转")
		}
		center = own
	default:
		out.Centers = all
		if center == "" {
			main, _ := network.MainCenter(all)
			center = main.Code
		}
	}
	out.Center = network.Center{Code: center, Name: center}
	if i := slices.IndexFunc(all, func(c network.Center) bool { return c.Code == center }); i >= 0 {
		out.Center = all[i]
	}
	list, err := s.Transfers(ctx, viewer, TransferQuery{Center: center})
	if err != nil {
		return out, err
	}
	out.TransferBoard = SortTransfers(list, center)
	return out, nil
}

// TransferBoard is a center's hand-offs as its transfers page shows them.
type TransferBoard struct {
	ToSend    []Transfer // 待寄出: ready to leave this center
	Later     []Transfer // to leave once the case is accepted or decided
	ToReceive []Transfer // 待签收: sent here
	InTransit []Transfer // sent from here (or elsewhere), not yet signed for
	Done      []Transfer // signed for, newest first, at most 20
}

// SortTransfers puts a center's hand-offs (oldest first, as Transfers lists them) in their boxes;
// a hand-off whose case ended before its paper left has nothing to send and is left out.
func SortTransfers(list []Transfer, center string) TransferBoard {
	var b TransferBoard
	for _, t := range list {
		switch {
		case t.Status == TransferPending && !t.Ready && Final(t.CaseStatus):
		case t.Status == TransferPending && t.From == center && t.Ready:
			b.ToSend = append(b.ToSend, t)
		case t.Status == TransferPending && t.From == center:
			b.Later = append(b.Later, t)
		case t.Status == TransferSent && t.To == center:
			b.ToReceive = append(b.ToReceive, t)
		case t.Status == TransferSent:
			b.InTransit = append(b.InTransit, t)
		case t.Status == TransferReceived:
			b.Done = append([]Transfer{t}, b.Done...)
		}
	}
	if len(b.Done) > 20 {
		b.Done = b.Done[:20]
	}
	return b
}

// ResultHere is the rule of handing out a result whose paper travels (材料流转): in person or by
// post only once the paper result has been signed for at the 出件地 — open are the case's result
// hand-offs (a bundle's: its members'); electronic delivery needs no paper.
func ResultHere(method string, open []Transfer) error {
	if method == "electronic" {
		return nil
	}
	for _, t := range open {
		if t.Kind == TransferResult && t.Status != TransferReceived {
			return errs.Conflict(fmt.Sprintf("纸质结果尚未送达本中心（流转单 %d %s），签收后方可出件；电子送达的可直接出件", t.ID, TransferStatusNames[t.Status]))
		}
	}
	return nil
}

// ResultAwaited is the case's paper result on its way to the 出件地 (not yet signed for there),
// nil when none: the case page says so at its delivery form.
func (c Case) ResultAwaited() *Transfer {
	for i, t := range c.Transfers {
		if t.Kind == TransferResult && t.Status != TransferReceived {
			return &c.Transfers[i]
		}
	}
	return nil
}

// resultHere applies ResultHere to case number (and, for a bundle, its members) inside tx: the
// delivery step calls it before handing a result over.
func (s *Service) resultHere(ctx context.Context, tx *store.Tx, number, method string) error {
	if method == "electronic" {
		return nil
	}
	open, err := s.openResults(ctx, tx, number)
	if err != nil {
		return err
	}
	return ResultHere(method, open)
}

// dropPaperResults removes the result hand-offs of case number (and, for a bundle, its
// members') not yet sent, inside tx: the result was delivered electronically (by the system as
// it decided, SystemDelivers, or by a clerk), so no paper travels to a 出件地 and nothing waits
// in either center's 材料流转 list. A hand-off already sent is the paper on its way: it stays.
func (s *Service) dropPaperResults(ctx context.Context, tx *store.Tx, number string) error {
	err := tx.ExecLater(ctx, `DELETE FROM case_transfers WHERE kind = ? AND status = ?
		AND (case_number = ? OR case_number IN (SELECT number FROM cases WHERE parent_number = ?))`,
		TransferResult, TransferPending, number, number)
	if err != nil {
		return fmt.Errorf("cases: the paper result's hand-off of %s: %w", number, err)
	}
	return nil
}

// openResults are the result hand-offs of case number (and, for a bundle, its members') not yet
// signed for at the 出件地, read inside tx.
func (s *Service) openResults(ctx context.Context, tx *store.Tx, number string) ([]Transfer, error) {
	var open []Transfer
	err := tx.ReadTogether(ctx, store.Read{Query: `SELECT id, kind, status FROM case_transfers WHERE kind = ? AND status <> ?
		AND (case_number = ? OR case_number IN (SELECT number FROM cases WHERE parent_number = ?)) ORDER BY id`,
		Args: []any{TransferResult, TransferReceived, number, number}, Row: func(scan func(...any) error) error {
			var t Transfer
			err := scan(&t.ID, &t.Kind, &t.Status)
			open = append(open, t)
			return err
		}})
	if err != nil {
		return nil, fmt.Errorf("cases: the result's hand-off of %s: %w", number, err)
	}
	return open, nil
}

// ResultsAwaited says which of the cases (by number; a bundle by its members) have a paper result
// not yet signed for at their 出件地, with that hand-off: the window's delivery list shows them as
// 待结果送达, not ready.
func (s *Service) ResultsAwaited(ctx context.Context, numbers []string) (_ map[string]Transfer, err error) {
	defer errs.Wrap(&err, "cases.ResultsAwaited")
	out := map[string]Transfer{}
	if len(numbers) == 0 {
		return out, nil
	}
	args := make([]any, 0, 2*len(numbers)+2)
	args = append(args, TransferResult, TransferReceived)
	for range 2 {
		for _, n := range numbers {
			args = append(args, n)
		}
	}
	rows, err := s.db.QueryContext(ctx, `SELECT t.id, t.case_number, COALESCE(c.parent_number, ''), t.status FROM case_transfers t
		JOIN cases c ON c.number = t.case_number WHERE t.kind = ? AND t.status <> ?
		AND (t.case_number IN (`+store.In(len(numbers))+`) OR c.parent_number IN (`+store.In(len(numbers))+`)) ORDER BY t.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("cases: results awaited: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t Transfer
		var parent string
		if err := rows.Scan(&t.ID, &t.Case, &parent, &t.Status); err != nil {
			return nil, fmt.Errorf("cases: results awaited: %w", err)
		}
		t.Kind, t.StatusName = TransferResult, TransferStatusNames[t.Status]
		key := cmp.Or(parent, t.Case)
		if !slices.Contains(numbers, key) {
			key = t.Case
		}
		if _, seen := out[key]; !seen {
			out[key] = t
		}
	}
	return out, rows.Err()
}
