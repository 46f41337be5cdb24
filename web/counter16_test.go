package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"banhao/audit"
	"banhao/cases"
	"banhao/demo"
	"banhao/identity"
	"banhao/payments/banktest"
	"banhao/store"
)

// TestWindowIntakeTellsEveryErrorAtOnce: a 公积金提取 typed at the window (一柜办结, with payment)
// with the applicant's name left out, a wrong ID number, an amount in words and a short account
// is refused once with all four errors — each by its label next to its field and in the summary
// on top, with the values as typed — not name and ID now, amount and account next time. A
// 告知承诺 application online, neither ticked nor signed, hears of both at once.
func TestWindowIntakeTellsEveryErrorAtOnce(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	chief := h.approverOf(t, "clerk_gjj")
	form := url.Values{"item": {h.itemNamed(t, "住房公积金提取（购买住房）")}, "token": {"all-at-once"}, "applicant_type": {"person"}, "applicant_name": {""},
		"applicant_id_number": {"37160219850315001"}, "applicant_phone": {"13805431234"}, "action": {"one_step"}, "pay_amount": {"一千二"},
		"pay_account": {"6222-12"}, "pay_name": {demo.CitizenName}}
	resp, page := h.postPage(t, chief, "/window/cases", form, map[string]string{"file_m1": onePDF, "file_m2": onePDF, "file_m3": onePDF})
	if resp.StatusCode != 400 {
		t.Fatalf("refused intake: %d", resp.StatusCode)
	}
	start := strings.Index(page, `id="error-summary"`)
	if start < 0 {
		t.Fatalf("no error summary: %s", page)
	}
	summary := page[start:]
	summary = summary[:strings.Index(summary, "</div>")]
	for _, want := range []string{`href="#applicant_name"`, `href="#applicant_id_number"`, "提取金额", "收款银行账号须为 12–30 位数字"} {
		if !strings.Contains(summary, want) {
			t.Errorf("the summary lacks %s: %s", want, summary)
		}
	}
	for _, id := range []string{"applicant_name", "applicant_id_number", "pay_amount", "pay_account"} {
		if !strings.Contains(page, `id="`+id+`-error"`) {
			t.Errorf("no error next to %s", id)
		}
	}
	for _, kept := range []string{`value="一千二"`, `value="6222-12"`, `value="37160219850315001"`} {
		if !strings.Contains(page, kept) {
			t.Errorf("the form lost %s", kept)
		}
	}
	if h.caseCount(t) != 0 {
		t.Errorf("a refused intake left %d cases", h.caseCount(t))
	}

	// Online 告知承诺: the tick and the signature together.
	sess := h.applicantSession(t, demo.CompanyCode)
	path := "/my/apply/" + url.PathEscape(h.itemNamed(t, "食品经营许可"))
	_, apply := h.citizenDo(t, sess, "GET", path, nil)
	resp, page = h.applyWith(t, sess, path, apply, url.Values{}, nil)
	if resp.StatusCode != 400 || !strings.Contains(page, `id="commitment-agree-error"`) || !strings.Contains(page, `id="commitment-signer-error"`) {
		t.Errorf("unticked and unsigned online: %d, both errors shown: %v %v", resp.StatusCode,
			strings.Contains(page, `id="commitment-agree-error"`), strings.Contains(page, `id="commitment-signer-error"`))
	}
}

// TestPostCheckFalseIsConfirmedAndCreditFlagged: on /office/postchecks 承诺不实 is not one click —
// the first submit shows what it will do (the decision and certificate revoked, a credit record,
// a text) and changes nothing; the second, with 确认, records it. Then every other post-check of
// that applicant carries 有信用记录 on its row; the row of the case that caused the record not.
func TestPostCheckFalseIsConfirmedAndCreditFlagged(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	approver := h.approverOf(t, "approver")
	code, refs := h.commitmentItem(t)
	first := h.commitmentApplication(t, code, refs, cases.Decided)
	other := h.commitmentApplication(t, code, refs, cases.Decided)
	if page := h.seen(t, "/office/postchecks", approver); strings.Contains(page, "有信用记录") {
		t.Fatalf("a row flagged before any record")
	}
	form := url.Values{"finding": {"false"}, "reason": {"现场无冷藏设施，与承诺不符"}}
	resp, page := h.postPage(t, approver, "/office/postchecks/"+first.Number, form, nil)
	if resp.StatusCode != 200 || !strings.Contains(page, `id="false-consequences"`) || !strings.Contains(page, "电子证照同时撤销") ||
		!strings.Contains(page, `name="confirm" value="1"`) {
		t.Fatalf("the first submit of 承诺不实: %d %s", resp.StatusCode, page)
	}
	if c, _ := h.cases.Get(context.Background(), audit.System, first.Number); c.Status != cases.Decided {
		t.Fatalf("the first submit changed the case: %s", c.Status)
	}
	form.Set("confirm", "1")
	if resp, page = h.postPage(t, approver, "/office/postchecks/"+first.Number, form, nil); resp.StatusCode != 200 || !strings.Contains(page, "已撤销许可") {
		t.Fatalf("confirmed: %d", resp.StatusCode)
	}
	if c, _ := h.cases.Get(context.Background(), audit.System, first.Number); c.Status != cases.Revoked {
		t.Fatalf("after the confirmation: %s", c.Status)
	}
	page = h.raw(t, "/office/postchecks", approver)
	row := func(number string) string {
		i := strings.Index(page, `id="pc-`+number+`"`)
		if i < 0 {
			t.Fatalf("no row of %s", number)
		}
		r := page[i:]
		return r[:strings.Index(r, "</tr>")]
	}
	if !strings.Contains(row(other.Number), "有信用记录 1 条") {
		t.Errorf("the other post-check of the applicant is not flagged: %s", row(other.Number))
	}
	if strings.Contains(row(first.Number), "有信用记录") {
		t.Errorf("the row of the case that caused the record is flagged by it")
	}
}

// TestRefusedPaymentShowsInEveryList: a 公积金提取 done in one step (已出件) whose payment the bank
// refused shows 支付被拒 — never 正常 — on the department's queue (/office) and on the applicant's
// own list on /my, in plain words there.
func TestRefusedPaymentShowsInEveryList(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	bank := banktest.New([]byte("lists-secret"))
	defer bank.Close()
	bank.RefuseAccountsEndingIn("4")
	number := h.refusedGJJ(t, bank, "lists-1")
	row := func(page, number string) string {
		t.Helper()
		for _, r := range strings.Split(page, "<tr")[1:] {
			r, _, _ = strings.Cut(r, "</tr>")
			if strings.Contains(r, number+"</a>") {
				return r
			}
		}
		t.Fatalf("%s is not in a list's row", number)
		return ""
	}
	for _, l := range []struct {
		who  identity.Session
		path string
	}{{h.approverOf(t, "approver_gjj"), "/office?status=delivered"}} { // on /window only in 待更正的支付, badged before
		r := row(h.raw(t, l.path, l.who), number)
		if !strings.Contains(r, "支付被拒") || strings.Contains(r, "正常") {
			t.Errorf("%s: the row of a delivered case whose payment was refused: %s", l.path, r)
		}
	}
	_, mine := h.citizenDo(t, h.citizenSession(t), "GET", "/my", nil)
	if r := row(mine, number); !strings.Contains(r, "款项未能到账") {
		t.Errorf("/my: the applicant's row does not say the payment did not arrive: %s", r)
	}
}

// TestWindowPaysOnlyTheApplicantsOwnAccount: 公积金提取 at the window (一柜办结) with 收款人户名
// not the applicant's is refused — the rule next to 收款人户名, the form as typed, no case —
// on both engines; the applicant's own name (spaces aside) is paid, and the case page shows the
// holder's name masked short.
func TestWindowPaysOnlyTheApplicantsOwnAccount(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		chief := h.approverOf(t, "clerk_gjj")
		form := url.Values{"item": {h.itemNamed(t, "住房公积金提取（购买住房）")}, "token": {"payee-other"}, "applicant_type": {"person"},
			"applicant_name": {demo.CitizenName}, "applicant_id_number": {demo.CitizenID}, "applicant_phone": {"13805431234"}, "action": {"one_step"},
			"pay_amount": {"1200"}, "pay_account": {"6222021500000123"}, "pay_name": {"李四"}}
		files := map[string]string{"file_m1": onePDF, "file_m2": onePDF, "file_m3": onePDF}
		resp, page := h.postPage(t, chief, "/window/cases", form, files)
		if resp.StatusCode != 400 || !strings.Contains(page, "收款人户名须与申请人姓名一致（只能转入申请人本人账户）") ||
			!strings.Contains(page, `id="pay_name-error"`) || !strings.Contains(page, `value="李四"`) {
			t.Fatalf("payee 李四 for %s: %d, rule shown %v", demo.CitizenName, resp.StatusCode, strings.Contains(page, "收款人户名须与申请人姓名一致"))
		}
		if n := h.caseCount(t); n != 0 {
			t.Fatalf("a refused payee left %d cases", n)
		}
		form.Set("token", "payee-own")
		form.Set("pay_name", " "+demo.CitizenName+"\u3000")
		resp, _ = h.postPage(t, chief, "/window/cases", form, files)
		if resp.StatusCode != 303 {
			t.Fatalf("the applicant's own account: %d", resp.StatusCode)
		}
		number := strings.TrimPrefix(resp.Header.Get("Location"), "/cases/")
		p, err := h.cases.PaymentOf(context.Background(), number)
		if err != nil || p == nil || p.AccountName != identity.MaskName(demo.CitizenName) || len([]rune(p.AccountName)) > 3 {
			t.Errorf("payment: %+v %v", p, err)
		}
	})
}
