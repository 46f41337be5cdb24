package demo

import "banhao/catalog"

// payments are the fully specified items that pay the applicant on approval (秒到账, issue 16):
// 住房公积金提取 pays the amount withdrawn into the applicant's own bank account, asked for at
// the window (or online) under the form keys amount, bank_account and account_name.
var payments = map[string]*catalog.Payment{
	"C0047": {Kind: catalog.PayHousingFund, AmountField: "amount", AccountField: "bank_account", NameField: "account_name"},
}

// PaymentForm is a filled 住房公积金提取 payment form (the demo citizen's own card).
func PaymentForm(amount, account, name string) map[string]string {
	return map[string]string{"amount": amount, "bank_account": account, "account_name": name}
}
