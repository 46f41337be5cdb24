package cases

import (
	"strings"
	"testing"
	"time"

	"banhao/catalog"
)

// TestPaymentLetterSaysWhetherTheInstructionWasSent: the decision notice of an approved payment
// says 已发送银行 only once a send was tried (none is without a bank interface, payments.NoBank);
// before that, that it has not been sent — never a transfer that did not happen.
func TestPaymentLetterSaysWhetherTheInstructionWasSent(t *testing.T) {
	facts := func() [][2]string { return [][2]string{{"办理结果", "准予"}, {"领取方式", "窗口领取"}} }
	state := func(p *Payment) (string, string) {
		got, closing := paymentLetter(Case{Payment: p}, catalog.Item{}, facts(), nil)
		for _, f := range got {
			if f[0] == "支付状态" {
				return f[1], strings.Join(closing, "")
			}
		}
		t.Fatalf("no 支付状态 on the notice: %v", got)
		return "", ""
	}
	p := &Payment{Status: PayPending, KindName: "住房公积金提取", Amount: "1000.00", Account: "****7777", AccountName: "张三", InstructionID: "PI-1"}
	if s, c := state(p); s != "支付指令尚未发送银行，款项尚未到账" || strings.Contains(c, "已发送") {
		t.Fatalf("unsent: %q / %q", s, c)
	}
	sent := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	p.SentAt = &sent
	if s, _ := state(p); s != "支付指令已发送银行，尚未到账" {
		t.Fatalf("sent, no answer yet: %q", s)
	}
	p.Status = PayConfirmed
	p.Reference = "B-42"
	if s, _ := state(p); !strings.Contains(s, "已到账") || !strings.Contains(s, "B-42") {
		t.Fatalf("confirmed: %q", s)
	}
}
