package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"

	"banhao/app"
	"banhao/cases"
	"banhao/payments"
	"banhao/payments/banktest"
)

// demoBank is the in-process test bank of serve --demo without BANHAO_BANK_URL.
var demoBank *banktest.Bank

// demoRefuseDigit: the demo bank refuses accounts ending in it, to show 支付被拒.
const demoRefuseDigit = "4"

// readBank reads the bank interface of 秒到账: BANHAO_BANK_URL (where payment instructions are
// posted) and BANHAO_BANK_SECRET (the HMAC-SHA256 key shared with the bank, at least 16 bytes).
// Neither set: no bank (payments.NoBank: instructions wait), unless the demo runs, which starts
// a test bank in this process.
func readBank(set settings, logger *slog.Logger) (cases.Bank, error) {
	u, sec := os.Getenv("BANHAO_BANK_URL"), os.Getenv("BANHAO_BANK_SECRET")
	switch {
	case u == "" && sec == "" && set.Demo:
		key := make([]byte, 32)
		_, _ = rand.Read(key)
		demoBank = banktest.New(key)
		demoBank.RefuseAccountsEndingIn(demoRefuseDigit)
		return demoBank.Client(), nil
	case u == "" && sec == "":
		return payments.NoBank{}, nil
	case u == "":
		return nil, errors.New("BANHAO_BANK_SECRET is set without BANHAO_BANK_URL: set both, or neither")
	case len(sec) < 16:
		return nil, errors.New("BANHAO_BANK_SECRET must be at least 16 bytes (the key shared with the bank)")
	}
	if p, err := url.Parse(u); err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return nil, fmt.Errorf("BANHAO_BANK_URL must be an http(s) address, not %q", u)
	} else if p.Scheme == "http" {
		logger.Warn("BANHAO_BANK_URL is plain http: payment instructions carry account numbers; use https outside a closed network")
	}
	return &payments.Client{URL: u, Secret: []byte(sec)}, nil
}

// bankNotice says at serve start where payments go.
func bankNotice(a *app.App, set settings, stdout io.Writer, logger *slog.Logger) {
	switch {
	case demoBank != nil:
		fmt.Fprintf(stdout, "演示：支付指令（住房公积金提取）发往本进程内的模拟银行 %s；收款账号尾号为 %s 的被拒（演示“支付被拒”）。\n", demoBank.URL(), demoRefuseDigit)
	case a.Bank == cases.Bank(payments.NoBank{}):
		logger.Warn("no bank interface (BANHAO_BANK_URL and BANHAO_BANK_SECRET are not set): payment instructions of approved cases (秒到账, 住房公积金提取) stay pending and the case pages say so; set them (docs/OPERATIONS.md)")
	default:
		logger.Info("payment instructions go to the bank", "url", os.Getenv("BANHAO_BANK_URL"))
	}
}
