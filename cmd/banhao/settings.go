package main

import (
	"cmp"
	"os"

	"banhao/app"
	"banhao/demo"
)

// settings are what an installation says about itself, read once from the environment
// (docs/OPERATIONS.md) and handed to app.New by openApp: the center's name, address and hotline,
// development codes (serve --demo, or BANHAO_DEV_CODES=1; never in production), the public URL.
type settings struct {
	app.Settings
	// CenterSet is false when BANHAO_CENTER_NAME was not given (serve warns).
	CenterSet bool
	// Demo is serve --demo: without BANHAO_BANK_URL, payments go to an in-process test bank.
	Demo bool
}

// Defaults of an installation that has not named itself.
const (
	defaultCenter  = "政务服务中心"
	defaultHotline = "12345" // the national government service hotline answers everywhere
)

// readSettings reads BANHAO_CENTER_NAME, BANHAO_CENTER_ADDRESS, BANHAO_CENTER_HOTLINE,
// BANHAO_DEV_CODES and BANHAO_PUBLIC_URL. The demo (demoMode) fills what is not set with its own
// center and sends sign-in codes to the log.
func readSettings(demoMode bool) settings {
	s := settings{Settings: app.Settings{Center: os.Getenv("BANHAO_CENTER_NAME"), Address: os.Getenv("BANHAO_CENTER_ADDRESS"),
		Hotline: os.Getenv("BANHAO_CENTER_HOTLINE"), DevCodes: demoMode || os.Getenv("BANHAO_DEV_CODES") == "1",
		PublicURL: os.Getenv("BANHAO_PUBLIC_URL")}}
	s.CenterSet = s.Center != ""
	s.Demo = demoMode
	if demoMode {
		s.Center, s.Address, s.Hotline = cmp.Or(s.Center, demo.CenterName), cmp.Or(s.Address, demo.CenterAddress), cmp.Or(s.Hotline, demo.CenterHotline)
		s.CenterSet = true
	}
	s.Center, s.Hotline = cmp.Or(s.Center, defaultCenter), cmp.Or(s.Hotline, defaultHotline)
	return s
}

// warnings are what serve tells the operator at start about these settings; closed says why
// citizens cannot sign in by code ("" when they can).
func (s settings) warnings(closed string, sms bool) []string {
	var out []string
	if !s.CenterSet {
		out = append(out, "BANHAO_CENTER_NAME is not set: every page, printed document and text message names this installation \""+defaultCenter+
			"\"; set it (and BANHAO_CENTER_ADDRESS, BANHAO_CENTER_HOTLINE) to the center's own (docs/OPERATIONS.md)")
	}
	if s.PublicURL == "" {
		out = append(out, "BANHAO_PUBLIC_URL is not set: QR codes and printed links take the address from each request's Host; set it in production (docs/OPERATIONS.md)")
	}
	switch {
	case closed != "":
		out = append(out, "no SMS gateway (BANHAO_SMS_URL is not set): citizens cannot sign in with a code on /my, /kiosk or POST /api/v1/applicant/code, "+
			"the pages say so: "+closed+" Set BANHAO_SMS_URL (or BANHAO_DEV_CODES=1 on a development machine)")
	case !sms && s.DevCodes:
		out = append(out, "development: citizens' sign-in codes are written to this log (serve --demo or BANHAO_DEV_CODES=1); never run a real center so")
	}
	return out
}
