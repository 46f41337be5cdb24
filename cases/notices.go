package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"banhao/audit"
	"banhao/calendar"
	"banhao/catalog"
	"banhao/errs"
	"banhao/identity"
	"banhao/pdfdoc"
	"banhao/store"
)

// NoticeKind names a printed notice.
type NoticeKind string

// The notices of a case.
const (
	NoticeAcceptance         NoticeKind = "acceptance"
	NoticeDeferredAcceptance NoticeKind = "deferred_acceptance"
	NoticeCorrection         NoticeKind = "correction"
	NoticeRejection          NoticeKind = "rejection"
	NoticeDecision           NoticeKind = "decision"
	// NoticeRefusal is the decision not to grant (不予许可): a case decided "denied".
	NoticeRefusal NoticeKind = "refusal"
)

// NoticeTitles are the documents' names.
var NoticeTitles = map[NoticeKind]string{
	NoticeAcceptance: "受理通知书", NoticeDeferredAcceptance: "容缺受理通知书", NoticeCorrection: "补齐补正告知书",
	NoticeRejection: "不予受理通知书", NoticeDecision: "办结通知书", NoticeRefusal: RefusalTitle,
}

// RefusalTitle is the name of the refusal, the same on the paper and on /track.
const RefusalTitle = "不予许可（不予办理）决定书"

// Remedies tells a person refused how to challenge the decision (行政复议法 第二十条、
// 行政诉讼法 第四十六条).
const Remedies = "如不服本决定，可以自收到本决定书之日起六十日内依法向本级人民政府申请行政复议，或者自收到本决定书之日起六个月内依法向人民法院提起行政诉讼。"

// Notice is a registered notice: what its QR code verifies.
type Notice struct {
	Code     string        `json:"code"`
	Kind     NoticeKind    `json:"kind"`
	Title    string        `json:"title"`
	Case     string        `json:"case"`
	IssuedOn calendar.Date `json:"issued_on"`
	Issuer   string        `json:"issuer"`
	Holder   string        `json:"holder"`
	// At is the moment of the act the notice records (the acceptance, the correction request,
	// the refusal, the decision): the notice is dated by it, however late it is printed.
	At time.Time `json:"-"`
}

// noticeActs are the timeline actions whose moment dates each notice.
var noticeActs = map[NoticeKind]string{
	NoticeAcceptance: "accept", NoticeDeferredAcceptance: "accept", NoticeCorrection: "correction",
	NoticeRejection: "reject", NoticeDecision: "decide", NoticeRefusal: "decide",
}

// actAt is when the act a notice records happened: its last entry in the timeline (a second
// correction request dates the notice that lists what it asks for), else the submission.
func actAt(c Case, kind NoticeKind) time.Time {
	for i := len(c.Timeline) - 1; i >= 0; i-- {
		if c.Timeline[i].Action == noticeActs[kind] {
			return c.Timeline[i].At
		}
	}
	return c.SubmittedAt
}

// NoticesFor lists the notices a case can have now.
func NoticesFor(c Case) []NoticeKind {
	var out []NoticeKind
	if len(c.Missing) > 0 || c.Status == Correction || hasEvent(c, "correction") {
		out = append(out, NoticeCorrection)
	}
	if c.AcceptedOn != nil {
		if len(c.Deferred) > 0 {
			out = append(out, NoticeDeferredAcceptance)
		} else {
			out = append(out, NoticeAcceptance)
		}
	}
	if c.Status == Rejected {
		out = append(out, NoticeRejection)
	}
	if c.Status == Decided || c.Status == Delivered {
		if c.Decision == "denied" {
			out = append(out, NoticeRefusal)
		} else {
			out = append(out, NoticeDecision)
		}
	}
	return out
}

func hasEvent(c Case, action string) bool {
	for _, e := range c.Timeline {
		if e.Action == action {
			return true
		}
	}
	return false
}

// IssueNotice registers a notice of a case (once per kind; printing again gives the same code)
// and returns it with the case.
func (s *Service) IssueNotice(ctx context.Context, by audit.Actor, number string, kind NoticeKind) (_ Notice, _ Case, err error) {
	defer errs.Wrap(&err, "cases.IssueNotice")
	c, err := s.load(ctx, s.db, number)
	if err != nil {
		return Notice{}, c, err
	}
	if err := canView(by, c); err != nil {
		return Notice{}, c, err
	}
	ok := false
	for _, k := range NoticesFor(c) {
		ok = ok || k == kind
	}
	if _, known := NoticeTitles[kind]; !known {
		return Notice{}, c, errs.NotFound("通知书类型", string(kind))
	}
	if !ok {
		return Notice{}, c, errs.Conflict(fmt.Sprintf("当前状态为「%s」，没有%s", StatusNames[c.Status], NoticeTitles[kind]))
	}
	// The window accepts and answers on the department's behalf, so every notice is the department's.
	// It is dated by the act it records, not by the day it is printed.
	n := Notice{Kind: kind, Title: NoticeTitles[kind], Case: number, Issuer: c.Department.Name, Holder: identity.MaskName(c.Applicant.Name),
		At: actAt(c, kind)}
	dated := calendar.DateOf(n.At, s.loc)
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT code, issued_on FROM notices WHERE case_number = ? AND kind = ?`, number, string(kind)).Scan(&n.Code, &n.IssuedOn)
		if err == nil {
			if n.IssuedOn == dated {
				return nil
			}
			// Registered on the day of an earlier print (or before a second correction request):
			// the verification page says the date the paper says.
			n.IssuedOn = dated
			_, err = tx.ExecContext(ctx, `UPDATE notices SET issued_on = ? WHERE code = ?`, n.IssuedOn, n.Code)
			return err
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		n.Code, n.IssuedOn = newVerifyCode(), dated
		if _, err := tx.ExecContext(ctx, `INSERT INTO notices (code, kind, case_number, issued_on, issuer, holder, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			n.Code, string(kind), number, n.IssuedOn, n.Issuer, n.Holder, s.now().UTC()); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, by, "notice.issue", "case", number, nil, n)
	})
	if err != nil {
		return Notice{}, c, err
	}
	return n, c, nil
}

// Verify answers what a QR code on a notice opens: whether the code is genuine and what it is.
func (s *Service) Verify(ctx context.Context, code string) (_ Notice, err error) {
	defer errs.Wrap(&err, "cases.Verify")
	var n Notice
	err = s.db.QueryRowContext(ctx, `SELECT code, kind, case_number, issued_on, issuer, holder FROM notices WHERE code = ?`, strings.ToUpper(code)).
		Scan(&n.Code, &n.Kind, &n.Case, &n.IssuedOn, &n.Issuer, &n.Holder)
	if errors.Is(err, sql.ErrNoRows) {
		return n, errs.NotFound("文书", code)
	}
	n.Title = NoticeTitles[n.Kind]
	return n, err
}

// Letter composes the printed text of a notice.
func (s *Service) Letter(ctx context.Context, n Notice, c Case, center, verifyURL string) (_ pdfdoc.Letter, err error) {
	defer errs.Wrap(&err, "cases.Letter")
	item, err := s.ItemOf(ctx, c)
	if err != nil {
		return pdfdoc.Letter{}, err
	}
	applicant := c.Applicant.Name
	submitted := calendar.DateOf(c.SubmittedAt, s.loc)
	l := pdfdoc.Letter{Center: center, Title: n.Title, Number: "编号：" + c.Number + "-" + strings.ToUpper(string(n.Kind[:1])) + n.Code[:6],
		To: applicant, Issuer: n.Issuer, IssuedOn: cnDate(n.IssuedOn), VerifyURL: verifyURL, VerifyTip: "扫码核验真伪 " + n.Code}
	facts := [][2]string{{"办件编号", c.Number}, {"申请事项", item.Name}, {"申请人", applicant}, {"申请日期", cnDate(submitted)}}
	name := func(id string) string { return s.materialName(ctx, item, id) }
	switch n.Kind {
	case NoticeAcceptance, NoticeDeferredAcceptance:
		l.Body = []string{fmt.Sprintf("你（单位）于 %s 提出的「%s」申请，经审查，申请材料齐全、符合法定形式（或按容缺受理规定可先行受理），本机关决定予以受理。",
			cnDate(submitted), item.Name)}
		facts = append(facts, [2]string{"受理日期", cnDate(*c.AcceptedOn)},
			[2]string{"承诺时限", fmt.Sprintf("%s（受理当日不计算在内，法定节假日顺延）", c.Limit)},
			[2]string{"承诺办结日期", cnDate(*c.Due)})
		if c.AcceptedCenterName != "" { // 收受分离: where it was taken, who decides, where the result is collected
			facts = append(facts, [2]string{"受理地", c.AcceptedCenterName}, [2]string{"审批地", strings.TrimSpace(c.DecidingRegionName + " " + c.Department.Name)},
				[2]string{"出件地", c.DeliveryCenterName})
		}
		if n.Kind == NoticeDeferredAcceptance {
			l.ListTitle, l.ListHead, l.ListWeights = "容缺材料及承诺补交日期", []string{"材料", "承诺补交日期", "状态"}, []float64{5, 3, 2}
			for _, d := range c.Deferred {
				state := "待补交"
				if d.Supplied {
					state = "已补交"
				}
				l.List = append(l.List, []string{d.Name, cnDate(d.Due), state})
			}
			l.Closing = []string{"申请人承诺在上述日期前补齐容缺材料。容缺材料补齐前，本机关不作出审批决定；逾期未补齐的，将依照规定终止办理，已提交材料退还申请人。",
				"本人已知晓并同意上述容缺受理承诺事项。"}
			l.Signature = []string{"申请人（签字）：＿＿＿＿＿＿＿＿　　日期：＿＿＿＿＿＿＿＿"}
		}
		l.Closing = append(l.Closing, "可凭办件编号和手机号后四位在政务服务中心网站或自助终端查询办理进度。")
	case NoticeCorrection:
		l.Body = []string{fmt.Sprintf("你（单位）于 %s 提出的「%s」申请，申请材料不齐全或不符合法定形式。现一次性告知需要补齐补正的全部材料如下：",
			cnDate(submitted), item.Name)}
		l.ListTitle, l.ListHead, l.ListWeights = "需补齐补正的材料", []string{"序号", "材料", "要求"}, []float64{1, 6, 5}
		missing := c.Missing
		if len(missing) == 0 {
			missing = lastMissing(c)
		}
		for i, id := range missing {
			req := "原件"
			if m, ok := materialByID(item, id); ok && m.Note != "" {
				req = m.Note
			}
			l.List = append(l.List, []string{fmt.Sprint(i + 1), name(id), req})
		}
		l.Closing = []string{"请按上述清单一次补齐。补齐后即予受理，办理时限自受理之日起计算。除上述材料外，不再要求提供其他材料。"}
	case NoticeRejection:
		l.Body = []string{fmt.Sprintf("你（单位）于 %s 提出的「%s」申请，经审查，本机关决定不予受理。", cnDate(submitted), item.Name)}
		facts = append(facts, [2]string{"不予受理理由", c.RejectReason}, [2]string{"法律依据", c.RejectBasis})
		l.Closing = []string{"如对本决定不服，可以自收到本通知书之日起六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。"}
	case NoticeDecision:
		l.Body = []string{fmt.Sprintf("你（单位）申请的「%s」已办理完毕，决定如下：准予%s。", item.Name, item.Name)}
		facts = append(facts, [2]string{"办理结果", item.ResultName}, [2]string{"领取方式", deliveryOf(c, item)})
		switch { // a result already handed out (一柜办结, or a reprint) is not to be collected again
		case c.DeliveryMethod == "window":
			l.Closing = []string{"办理结果已在窗口当面交付。"}
		case c.DeliveryMethod == "mail":
			l.Closing = []string{fmt.Sprintf("办理结果已邮寄送达（快递单号 %s）。", c.TrackingNumber)}
		case c.DeliveryMethod == "electronic":
			l.Closing = []string{"办理结果已电子送达，可登录网上办事大厅“我的办事”查看、下载。"}
		case c.DeliveryCenter == "mail":
			l.Closing = []string{"办理结果将按你选择的方式邮寄送达。"}
		case c.DeliveryCenterName != "":
			l.Closing = []string{fmt.Sprintf("请凭本通知书及身份证件到%s统一出件窗口领取办理结果。", c.DeliveryCenterName)}
		default:
			l.Closing = []string{"请凭本通知书及身份证件到政务服务中心统一出件窗口领取办理结果，或按选择的方式接收。"}
		}
		facts, l.Closing = paymentLetter(c, item, facts, l.Closing) // 秒到账: 已到账 only once the bank confirmed
	case NoticeRefusal:
		l.Body = []string{fmt.Sprintf("你（单位）于 %s 提出的「%s」申请，本机关已依法受理并进行了审查。经审查，决定不予许可（不予办理）。",
			cnDate(submitted), item.Name)}
		if c.AcceptedOn != nil {
			facts = append(facts, [2]string{"受理日期", cnDate(*c.AcceptedOn)})
		}
		if c.DecidedOn != nil {
			facts = append(facts, [2]string{"决定日期", cnDate(*c.DecidedOn)})
		}
		facts = append(facts, [2]string{"不予许可理由", c.DecisionReason})
		l.Closing = []string{"已提交的申请材料原件可凭本决定书到政务服务中心窗口取回。", Remedies}
	}
	if len(c.Children) > 0 && len(l.List) == 0 { // one notice for the whole bundle lists every item
		l.ListTitle, l.ListHead, l.ListWeights, l.List = "所含事项", []string{"办件编号", "事项", "状态"}, []float64{4, 5, 2}, nil
		for _, k := range c.Children {
			l.List = append(l.List, []string{k.Number, k.ItemName, k.StatusName})
		}
	}
	l.Facts = facts
	return l, nil
}

// deliveryOf names how the applicant receives the result: the way chosen for the case, or the
// item's ways when none was chosen.
func deliveryOf(c Case, it catalog.Item) string {
	if c.DeliveryMethod != "" {
		return catalog.DeliveryNames[c.DeliveryMethod]
	}
	methods := make([]string, 0, len(it.DeliveryMethods))
	for _, m := range it.DeliveryMethods {
		methods = append(methods, catalog.DeliveryNames[m])
	}
	return strings.Join(methods, "、")
}

// lastMissing returns the materials listed by the last correction notice, from the timeline.
func lastMissing(c Case) []string {
	for i := len(c.Timeline) - 1; i >= 0; i-- {
		e := c.Timeline[i]
		if e.Action == "correction" && e.Detail != "" {
			var d struct{ Missing []string }
			if err := json.Unmarshal([]byte(e.Detail), &d); err == nil {
				return d.Missing
			}
		}
	}
	return nil
}

func cnDate(d calendar.Date) string {
	t := d.Time(time.UTC)
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}
