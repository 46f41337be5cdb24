package catalog_test

import (
	"context"
	"strings"
	"testing"

	"banhao/catalog"
	"banhao/errs"
	"banhao/store"
	"banhao/store/storetest"
)

// TestPaymentBlockRules: a payment block names a known kind (or its Chinese name) and three
// distinct form keys; each broken rule names its field. The form's answers are read by the
// block: amounts in 元 to fen, accounts without spaces, each bad answer named by its label.
func TestPaymentBlockRules(t *testing.T) {
	t.Parallel()
	it := item("PAY-1", "提取")
	it.Payment = &catalog.Payment{Kind: " 公积金提取 ", AmountField: "amount", AccountField: "bank_account", NameField: "account_name"}
	it.Normalize()
	if err := catalog.Validate(&it, catalog.StatusPublished); err != nil || it.Payment.Kind != catalog.PayHousingFund {
		t.Fatalf("a good block: %v (%q)", err, it.Payment.Kind)
	}
	for _, tc := range []struct {
		p           catalog.Payment
		field, want string
	}{
		{catalog.Payment{Kind: "退款", AmountField: "a", AccountField: "b", NameField: "c"}, "payment.kind", "支付类型"},
		{catalog.Payment{Kind: catalog.PayBenefit, AccountField: "b", NameField: "c"}, "payment.amount_field", "须指明金额字段"},
		{catalog.Payment{Kind: catalog.PayBenefit, AmountField: "Amount!", AccountField: "b", NameField: "c"}, "payment.amount_field", "小写字母"},
		{catalog.Payment{Kind: catalog.PayBenefit, AmountField: "a", AccountField: "a", NameField: "c"}, "payment.account_field", "同一个表单字段"},
	} {
		bad := item("PAY-2", "提取")
		p := tc.p
		bad.Payment = &p
		bad.Normalize()
		err := catalog.Validate(&bad, catalog.StatusPublished)
		e, _ := errs.As(err)
		found := false
		for _, f := range e.Fields {
			found = found || f.Field == tc.field && strings.Contains(f.Message, tc.want)
		}
		if !found {
			t.Errorf("%+v: %v, want %s: …%s…", tc.p, err, tc.field, tc.want)
		}
	}

	p := *it.Payment
	o, err := catalog.ParsePaymentForm(p, map[string]string{"amount": "1,234.5", "bank_account": "6222 0000 1111 2222 333", "account_name": " 张 三 "}, catalog.Holder{Name: "张三"})
	if err != nil || o.AmountFen != 123450 || o.Account != "6222000011112222333" || o.Name != "张 三" || catalog.Yuan(o.AmountFen) != "1234.50" {
		t.Errorf("a good form: %+v %v", o, err)
	}
	// The payee must be the applicant: someone else's account is refused, naming 收款人户名.
	for _, tc := range []struct {
		h          catalog.Holder
		name, want string
	}{
		{catalog.Holder{Name: "张三"}, "李四", "收款人户名须与申请人姓名一致（只能转入申请人本人账户）"},
		{catalog.Holder{Name: "张三"}, "张三丰", "须与申请人姓名一致"},
		{catalog.Holder{Name: "济南某某有限公司", Org: true}, "张三", "收款人户名须与申请单位名称一致"},
	} {
		_, err := catalog.ParsePaymentForm(p, map[string]string{"amount": "5", "bank_account": "622200001111", "account_name": tc.name}, tc.h)
		e, _ := errs.As(err)
		if e == nil || len(e.Fields) != 1 || e.Fields[0].Field != "account_name" || !strings.Contains(e.Fields[0].Message, tc.want) {
			t.Errorf("payee %q for %+v: %v, want account_name: %s", tc.name, tc.h, err, tc.want)
		}
	}
	if _, err := catalog.ParsePaymentForm(p, map[string]string{"amount": "5", "bank_account": "622200001111", "account_name": "济南某某(集团)有限公司"},
		catalog.Holder{Name: "济南某某（集团）有限公司", Org: true}); err != nil {
		t.Errorf("the organisation's own account, brackets half-width: %v", err)
	}
	for _, tc := range []struct{ amount, account, field, want string }{
		{"0", "622200001111", "amount", "提取金额（元）须为大于 0"},
		{"12.345", "622200001111", "amount", "最多两位小数"},
		{"-5", "622200001111", "amount", "提取金额"},
		{"100000000", "622200001111", "amount", "不超过"},
		{"5", "6222-0000-1111", "bank_account", "收款银行账号须为 12–30 位数字"},
		{"5", "62220000", "bank_account", "12–30 位"},
	} {
		_, err := catalog.ParsePaymentForm(p, map[string]string{"amount": tc.amount, "bank_account": tc.account, "account_name": "张三"}, catalog.Holder{Name: "张三"})
		e, _ := errs.As(err)
		if e == nil || len(e.Fields) != 1 || e.Fields[0].Field != tc.field || !strings.Contains(e.Fields[0].Message, tc.want) {
			t.Errorf("amount %q account %q: %v, want %s: %s", tc.amount, tc.account, err, tc.field, tc.want)
		}
	}
}

// TestPaymentBlockTravelsInEveryFormat: the payment block survives export and import in CSV,
// Excel and JSON, is versioned with the item, and a bad cell is named by row and column.
func TestPaymentBlockTravelsInEveryFormat(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		src := orgService(t, db)
		it := item("PAY-T", "支付事项")
		if _, err := src.PutItem(ctx, admin, it, catalog.StatusPublished); err != nil {
			t.Fatal(err)
		}
		it.Payment = &catalog.Payment{Kind: catalog.PayHousingFund, AmountField: "amount", AccountField: "bank_account", NameField: "account_name"}
		v2, err := src.PutItem(ctx, admin, it, catalog.StatusPublished)
		if err != nil {
			t.Fatal(err)
		}
		if v1, err := src.ItemVersion(ctx, "PAY-T", v2.Version-1); err != nil || v1.Payment != nil {
			t.Errorf("the version before the block: %+v %v", v1.Payment, err)
		}
		eachFormat(t, src, func(format string, written []byte) {
			dst := importCopy(t, db, format, written)
			got, err := dst.Item(ctx, "PAY-T")
			if err != nil || got.Payment == nil || *got.Payment != *it.Payment {
				t.Errorf("%s: the block came back as %+v (%v)", format, got.Payment, err)
			}
		})
		csv := "code,name,type,department,legal_limit_value,legal_limit_unit,promised_limit_value,promised_limit_unit,online_depth,payment\n" +
			`PAY-C,中文,行政许可,XZSP,20,working_day,1,working_day,3,"{""kind"":""公积金提取"",""amount_field"":""amount"",""account_field"":""acct"",""name_field"":""who""}"` + "\n"
		f, err := catalog.ParseCSV([]byte(csv))
		if err != nil || f.Items[0].Payment == nil || f.Items[0].Payment.AccountField != "acct" {
			t.Fatalf("a block in a CSV: %+v %v", f, err)
		}
		_, err = catalog.ParseCSV([]byte(strings.Replace(csv, `""kind""`, `""sort""`, 1)))
		var ie *catalog.ImportError
		if !asImportError(err, &ie) || len(ie.Rows) != 1 || ie.Rows[0].Row != 2 || !strings.Contains(ie.Rows[0].Column, "payment") || !strings.Contains(ie.Rows[0].Message, "支付指令") {
			t.Errorf("a bad block in a CSV: %v", err)
		}
	})
}
