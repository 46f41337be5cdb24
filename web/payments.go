package web

import (
	"encoding/json"
	"net/http"
	"net/url"

	"banhao/calendar"
	"banhao/cases"
	"banhao/catalog"
	"banhao/errs"
	"banhao/identity"
)

// 秒到账 (issue 16) on the pages: the window's intake form asks for the amount and the account
// of an item that pays (inputs pay_amount, pay_account, pay_name, fed into the application's
// form under the item's own keys); the case page shows the payment; /supervise counts them.

// paymentInputs are the intake form's inputs of a payment block.
const (
	payAmountInput  = "pay_amount"
	payAccountInput = "pay_account"
	payNameInput    = "pay_name"
)

// withPaymentFields adds the payment block's fields to a form's table: an error about a form
// key shows next to its input, under its label.
func withPaymentFields(ff formFields, it catalog.Item) formFields {
	if p := it.Payment; p != nil {
		ff[p.AmountField] = formField{payAmountInput, p.AmountLabel()}
		ff[p.AccountField] = formField{payAccountInput, p.AccountLabel()}
		ff[p.NameField] = formField{payNameInput, p.NameLabel()}
	}
	return ff
}

// paymentForm is the application's form of an item that pays: the three answers under the
// item's keys (nil for an item that pays nothing).
func paymentForm(it catalog.Item, f url.Values) json.RawMessage {
	p := it.Payment
	if p == nil {
		return nil
	}
	b, _ := json.Marshal(map[string]string{p.AmountField: f.Get(payAmountInput), p.AccountField: f.Get(payAccountInput), p.NameField: f.Get(payNameInput)})
	return b
}

// paymentFigures are /supervise's 支付确认 figures of the period (nil when they cannot be read:
// the page shows the rest).
func (s *Server) paymentFigures(r *http.Request, from, to calendar.Date) *cases.PaymentFigures {
	f, err := s.Cases.PaymentsFor(r.Context(), actor(r), from, to) // a county's supervisor: its departments' cases
	if err != nil {
		s.Logger.WarnContext(r.Context(), "payment figures", "err", err)
		return nil
	}
	return &f
}

// The item editor's payment inputs: a kind ("" for none) and the three form keys.
var paymentEditorFields = formFields{
	"payment.kind": {"payment_kind", "支付类型"}, "payment.amount_field": {"payment_amount_field", "金额字段"},
	"payment.account_field": {"payment_account_field", "收款账号字段"}, "payment.name_field": {"payment_name_field", "收款人户名字段"},
}

// withPaymentEditor adds the editor's payment inputs to its field table.
func withPaymentEditor(ff formFields) formFields {
	for k, v := range paymentEditorFields {
		ff[k] = v
	}
	return ff
}

// paymentFromForm reads the editor's payment block: none when no kind is chosen.
func paymentFromForm(f url.Values) *catalog.Payment {
	if f.Get("payment_kind") == "" {
		return nil
	}
	return &catalog.Payment{Kind: f.Get("payment_kind"), AmountField: f.Get("payment_amount_field"),
		AccountField: f.Get("payment_account_field"), NameField: f.Get("payment_name_field")}
}

// withPaymentForm adds the payment answers to an application's form (an online application's
// note and the rest): unchanged for an item that pays nothing.
func withPaymentForm(form json.RawMessage, it catalog.Item, f url.Values) json.RawMessage {
	pay := paymentForm(it, f)
	if pay == nil {
		return form
	}
	m := map[string]string{}
	_ = json.Unmarshal(form, &m)
	_ = json.Unmarshal(pay, &m)
	b, _ := json.Marshal(m)
	return b
}

// repayFields are the case page's form correcting a refused or failed payment.
var repayFields = formFields{"account": {"repay_account", "收款银行账号"}, "account_name": {"repay_name", "收款人户名"}}

func (s *Server) registerPayments() {
	s.handle("POST", "/api/v1/cases/{number}/repay", API, roles(identity.Clerk, identity.Approver), s.apiRepay)
}

// apiRepay corrects a refused or failed payment's account and sends it again.
func (s *Server) apiRepay(w http.ResponseWriter, r *http.Request) error {
	var in cases.PaymentCorrection
	if r.ContentLength != 0 {
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
	}
	c, err := s.Cases.ResendPayment(r.Context(), actor(r), r.PathValue("number"), in)
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, c)
}

// pageRepay is the case page's 更正并重新发送: a refused form shows the page again as typed.
func (s *Server) pageRepay(w http.ResponseWriter, r *http.Request, number string) error {
	f := r.PostForm
	_, err := s.Cases.ResendPayment(r.Context(), actor(r), number, cases.PaymentCorrection{Account: f.Get("account"), AccountName: f.Get("account_name")})
	if e, ok := errs.As(err); ok && e.Code == errs.CodeInvalid && len(e.Fields) > 0 {
		fm := newForm(f, repayFields, nil)
		fm.add(repayFields, e.Fields...)
		return s.casePage(w, r, number, http.StatusBadRequest, "", &postedForm{Action: "repay", Form: fm})
	}
	if err != nil {
		if e, ok := errs.As(err); ok && e.Code != errs.CodeNotFound {
			return s.redirectCase(w, r, number, errMessage(err))
		}
		return err
	}
	return s.redirectCase(w, r, number, "")
}
