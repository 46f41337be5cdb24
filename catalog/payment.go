package catalog

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"banhao/errs"
)

// Payment is an item version's payment instruction (秒到账, issue 16): approving a case of the
// item pays the applicant through the bank. Kind says what is paid; the fields name the keys of
// the application form that give the amount (元, at most two decimals), the account paid into
// and the account holder's name. The window's intake form asks for them under their labels
// (PaymentLabels).
type Payment struct {
	Kind         string `json:"kind"`
	AmountField  string `json:"amount_field"`
	AccountField string `json:"account_field"`
	NameField    string `json:"name_field"`
}

// Payment kinds.
const (
	PayHousingFund = "housing_fund_withdrawal" // 公积金提取
	PayBenefit     = "benefit"                 // 待遇/补贴发放
)

// PaymentKinds lists the kinds in the editor's order; PaymentKindNames names them.
var PaymentKinds = []string{PayHousingFund, PayBenefit}

// PaymentKindNames are the kinds' names.
var PaymentKindNames = map[string]string{PayHousingFund: "公积金提取", PayBenefit: "待遇补贴发放"}

// KindName is the payment's kind in words.
func (p Payment) KindName() string { return PaymentKindNames[p.Kind] }

// Labels are what the intake form calls the three fields: amount, account, holder's name.
func (p Payment) Labels() (amount, account, name string) {
	amount = "发放金额（元）"
	if p.Kind == PayHousingFund {
		amount = "提取金额（元）"
	}
	return amount, "收款银行账号", "收款人户名"
}

var formKeyRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// normalizePayment trims the block and reads a kind given by its name (公积金提取).
func normalizePayment(p *Payment) {
	if p == nil {
		return
	}
	for _, s := range []*string{&p.Kind, &p.AmountField, &p.AccountField, &p.NameField} {
		*s = strings.TrimSpace(*s)
	}
	for code, name := range PaymentKindNames {
		if p.Kind == name {
			p.Kind = code
		}
	}
}

// checkPayment is the payment part of Validate: a known kind and three distinct form keys.
func checkPayment(v *errs.Validation, it *Item) {
	p := it.Payment
	if p == nil {
		return
	}
	if _, ok := PaymentKindNames[p.Kind]; !ok {
		v.Add("payment.kind", "支付指令的支付类型须为公积金提取或待遇补贴发放")
	}
	seen := map[string]string{}
	for _, f := range []struct{ key, field, label string }{
		{p.AmountField, "payment.amount_field", "金额字段"},
		{p.AccountField, "payment.account_field", "收款账号字段"},
		{p.NameField, "payment.name_field", "收款人户名字段"},
	} {
		switch {
		case f.key == "":
			v.Add(f.field, "支付指令须指明"+f.label)
		case !formKeyRe.MatchString(f.key):
			v.Add(f.field, fmt.Sprintf("支付指令的%s“%s”须为 1–32 位小写字母、数字或下划线，以字母开头", f.label, Excerpt(f.key)))
		case seen[f.key] != "":
			v.Add(f.field, fmt.Sprintf("支付指令的%s与%s不能是同一个表单字段“%s”", f.label, seen[f.key], f.key))
		default:
			seen[f.key] = f.label
		}
	}
}

// Holder is the applicant a payment goes to: the payee account must be theirs (公积金提取 and
// 待遇补贴 are paid into the applicant's own account only). Org says the applicant is an
// organisation (its name is then the account's). An empty Name checks nothing.
type Holder struct {
	Name string
	Org  bool
}

// SameHolder says whether an account holder's name is the applicant's: equal once spaces
// (half- and full-width) are removed and full-width brackets read as half-width.
func SameHolder(accountName, applicant string) bool {
	norm := func(s string) string {
		s = strings.Join(strings.Fields(s), "") // Fields splits at U+3000 too
		return strings.NewReplacer("（", "(", "）", ")").Replace(s)
	}
	return norm(accountName) == norm(applicant)
}

// HolderRule is the payee rule in words, for the name field's error.
func (p Payment) HolderRule(h Holder) string {
	_, _, nameLabel := p.Labels()
	if h.Org {
		return nameLabel + "须与申请单位名称一致（只能转入申请单位本单位账户）"
	}
	return nameLabel + "须与申请人姓名一致（只能转入申请人本人账户）"
}

// PaymentOrder is what an application's form says to pay.
type PaymentOrder struct {
	AmountFen int64
	Account   string // digits only
	Name      string
}

// ParsePaymentForm reads the amount, account and holder's name from an application's form
// answers by the item's payment block, naming each bad answer by its label: the amount in 元,
// more than 0, at most two decimals and at most 10 000 000 元; the account 12–30 digits (spaces
// allowed between groups); the name 1–50 characters and the applicant's own (h, SameHolder).
func ParsePaymentForm(p Payment, form map[string]string, h Holder) (PaymentOrder, error) {
	var v errs.Validation
	amountLabel, accountLabel, nameLabel := p.Labels()
	var o PaymentOrder
	fen, ok := parseYuan(form[p.AmountField])
	v.Check(ok && fen > 0 && fen <= 1_000_000_000, p.AmountField, amountLabel+"须为大于 0、不超过 10000000 的金额，最多两位小数")
	o.AmountFen = fen
	acct := strings.Join(strings.Fields(form[p.AccountField]), "")
	v.Check(len(acct) >= 12 && len(acct) <= 30 && strings.Trim(acct, "0123456789") == "", p.AccountField, accountLabel+"须为 12–30 位数字")
	o.Account = acct
	o.Name = strings.TrimSpace(form[p.NameField])
	named := o.Name != "" && utf8.RuneCountInString(o.Name) <= 50
	v.Check(named, p.NameField, nameLabel+"不能为空，最多 50 字")
	v.Check(!named || h.Name == "" || SameHolder(o.Name, h.Name), p.NameField, p.HolderRule(h))
	return o, v.Err()
}

// parseYuan reads "1234", "1234.5" or "1,234.56" as fen.
func parseYuan(s string) (int64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	s = strings.TrimSuffix(s, "元")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" || len(whole) > 12 {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	return n, err == nil
}

// Yuan writes fen as 元 with two decimals: 123456 → "1234.56".
func Yuan(fen int64) string { return fmt.Sprintf("%d.%02d", fen/100, fen%100) }

// FormValues reads an application's form (a JSON object) as text answers.
func FormValues(raw []byte) map[string]string {
	out := map[string]string{}
	var m map[string]any
	if len(raw) == 0 || json.Unmarshal(raw, &m) != nil {
		return out
	}
	for k, v := range m {
		switch x := v.(type) {
		case string:
			out[k] = x
		case float64:
			out[k] = strconv.FormatFloat(x, 'f', -1, 64)
		}
	}
	return out
}

// paymentColumn is the payment block in the item sheet and the CSV file: JSON in one cell, empty
// for none.
var paymentColumn = column{key: "payment", label: "支付指令(JSON)", field: "payment",
	get: func(it *Item) string {
		if it.Payment == nil {
			return ""
		}
		b, _ := json.Marshal(it.Payment)
		return string(b)
	},
	set: func(it *Item, v string) error {
		if strings.TrimSpace(v) == "" {
			it.Payment = nil
			return nil
		}
		var p Payment
		dec := json.NewDecoder(strings.NewReader(v))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			return fmt.Errorf(`不是有效的支付指令：应为 {"kind":"公积金提取","amount_field":"amount","account_field":"bank_account","name_field":"account_name"}，%v`, err)
		}
		it.Payment = &p
		return nil
	}}

func init() { itemColumns = append(itemColumns, paymentColumn) }

// AmountLabel, AccountLabel and NameLabel are Labels one by one (for templates).
func (p Payment) AmountLabel() string { a, _, _ := p.Labels(); return a }

// AccountLabel is the account field's label.
func (p Payment) AccountLabel() string { _, a, _ := p.Labels(); return a }

// NameLabel is the holder's name field's label.
func (p Payment) NameLabel() string { _, _, n := p.Labels(); return n }

// PaymentBlock is the item's payment block, the zero block when it pays nothing (the editor).
func (it Item) PaymentBlock() Payment {
	if it.Payment == nil {
		return Payment{}
	}
	return *it.Payment
}

// Kinds lists a block of each kind, in the editor's order (its choice of kind).
func (Payment) Kinds() []Payment {
	out := make([]Payment, len(PaymentKinds))
	for i, k := range PaymentKinds {
		out[i] = Payment{Kind: k}
	}
	return out
}
