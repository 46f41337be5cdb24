package cases_test

import (
	"slices"
	"strings"
	"testing"

	"banhao/audit"
	"banhao/cases"
	"banhao/errs"
	"banhao/network"
)

// TestLegs: which cases send paper — materials when the accepting center is not the deciding
// region's, on paper only (a window); the result when it is collected at another center than
// the deciding one, whatever the channel, never for the post.
func TestLegs(t *testing.T) {
	t.Parallel()
	r := cases.Route{AcceptedCenter: "P", DecidingCenter: "Z", Delivery: "P"}
	for _, tc := range []struct {
		name    string
		r       cases.Route
		channel string
		want    []cases.Leg
	}{
		{"township for a county, result back home", r, "window", []cases.Leg{{cases.TransferMaterials, "P", "Z"}, {cases.TransferResult, "Z", "P"}}},
		{"online, collected at another center: the result travels", r, "online", []cases.Leg{{cases.TransferResult, "Z", "P"}}},
		{"kiosk, collected where taken: no paper materials, the result travels", r, "kiosk", []cases.Leg{{cases.TransferResult, "Z", "P"}}},
		{"online, collected where decided (the default): nothing", cases.Route{AcceptedCenter: "M", DecidingCenter: "Z", Delivery: "Z"}, "online", nil},
		{"online by post: nothing", cases.Route{AcceptedCenter: "M", DecidingCenter: "Z", Delivery: network.ByMail}, "online", nil},
		{"by post", cases.Route{AcceptedCenter: "P", DecidingCenter: "Z", Delivery: network.ByMail}, "window", []cases.Leg{{cases.TransferMaterials, "P", "Z"}}},
		{"collected where decided", cases.Route{AcceptedCenter: "P", DecidingCenter: "Z", Delivery: "Z"}, "window", []cases.Leg{{cases.TransferMaterials, "P", "Z"}}},
		{"decided where accepted", cases.Route{AcceptedCenter: "Z", DecidingCenter: "Z", Delivery: "Z"}, "window", nil},
		{"decided here, collected elsewhere", cases.Route{AcceptedCenter: "Z", DecidingCenter: "Z", Delivery: "S"}, "window", []cases.Leg{{cases.TransferResult, "Z", "S"}}},
		{"no deciding center known", cases.Route{AcceptedCenter: "P", Delivery: "P"}, "window", nil},
	} {
		if got := cases.Legs(tc.r, tc.channel); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestDefaultDelivery: with no 出件地 chosen, a window's or kiosk's applicant collects where they
// stood, an online applicant's or an agent's where the case is decided.
func TestDefaultDelivery(t *testing.T) {
	t.Parallel()
	for ch, want := range map[string]string{"window": cases.DeliverWhereAccepted, "kiosk": cases.DeliverWhereAccepted,
		"online": cases.DeliverWhereDecided, "agent": cases.DeliverWhereDecided} {
		if got := cases.DefaultDelivery(ch); got != want {
			t.Errorf("%s: %s, want %s", ch, got, want)
		}
	}
}

// TestTransferNext: 待寄出 → 已寄出 → 已签收, nothing else.
func TestTransferNext(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status, action, want string
		code                 errs.Code
	}{
		{cases.TransferPending, "send", cases.TransferSent, ""},
		{cases.TransferSent, "receive", cases.TransferReceived, ""},
		{cases.TransferSent, "send", "", errs.CodeConflict},
		{cases.TransferReceived, "send", "", errs.CodeConflict},
		{cases.TransferPending, "receive", "", errs.CodeConflict},
		{cases.TransferReceived, "receive", "", errs.CodeConflict},
		{cases.TransferPending, "lose", "", errs.CodeInvalid},
	} {
		got, err := cases.TransferNext(tc.status, tc.action)
		if got != tc.want || (tc.code == "") != (err == nil) || tc.code != "" && !errs.Is(err, tc.code) {
			t.Errorf("%s %s: %q %v, want %q %s", tc.status, tc.action, got, err, tc.want, tc.code)
		}
	}
}

// TestTransferReady: materials leave once accepted, the result once decided.
func TestTransferReady(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		kind   string
		status cases.Status
		want   bool
	}{
		{cases.TransferMaterials, cases.Submitted, false},
		{cases.TransferMaterials, cases.Correction, false},
		{cases.TransferMaterials, cases.Rejected, false},
		{cases.TransferMaterials, cases.Accepted, true},
		{cases.TransferMaterials, cases.Decided, true},
		{cases.TransferResult, cases.Accepted, false},
		{cases.TransferResult, cases.Decided, true},
		{cases.TransferResult, cases.Delivered, true},
		{"other", cases.Decided, false},
	} {
		if got := cases.TransferReady(tc.kind, tc.status); got != tc.want {
			t.Errorf("%s at %s: %v", tc.kind, tc.status, got)
		}
	}
}

// TestMayConfirm: a clerk of the sending center sends, a clerk of the receiving center signs;
// nobody else.
func TestMayConfirm(t *testing.T) {
	t.Parallel()
	tr := cases.Transfer{From: "P", FromName: "彭李街道便民服务中心", To: "Z", ToName: "沾化区政务服务中心"}
	clerk := audit.Actor{Username: "c", Role: "clerk"}
	for _, tc := range []struct {
		by          audit.Actor
		center, act string
		allowed     bool
	}{
		{clerk, "P", "send", true},
		{clerk, "Z", "send", false},
		{clerk, "Z", "receive", true},
		{clerk, "P", "receive", false},
		{clerk, "S", "receive", false},
		{audit.Actor{Username: "a", Role: "approver"}, "Z", "receive", false},
		{audit.Actor{Username: "m", Role: "admin"}, "P", "send", false},
	} {
		err := cases.MayConfirm(tc.by, tc.center, tr, tc.act)
		if tc.allowed != (err == nil) || err != nil && !errs.Is(err, errs.CodeForbidden) {
			t.Errorf("%s of %s %s: %v", tc.by.Role, tc.center, tc.act, err)
		}
	}
}

// TestMayCheckOriginals: the accepting center's clerk, while the paper is still there.
func TestMayCheckOriginals(t *testing.T) {
	t.Parallel()
	clerk := audit.Actor{Username: "c", Role: "clerk"}
	c := cases.Case{AcceptedCenter: "P", AcceptedCenterName: "彭李街道便民服务中心", Status: cases.Accepted}
	pending := &cases.Transfer{Status: cases.TransferPending}
	sent := &cases.Transfer{Status: cases.TransferSent}
	rejected := c
	rejected.Status = cases.Rejected
	for _, tc := range []struct {
		name   string
		by     audit.Actor
		center string
		c      cases.Case
		tr     *cases.Transfer
		code   errs.Code
	}{
		{"accepting clerk, paper here", clerk, "P", c, pending, ""},
		{"accepting clerk, no hand-off", clerk, "P", c, nil, ""},
		{"paper gone", clerk, "P", c, sent, errs.CodeConflict},
		{"another center", clerk, "Z", c, pending, errs.CodeForbidden},
		{"an approver", audit.Actor{Role: "approver"}, "P", c, pending, errs.CodeForbidden},
		{"refused", clerk, "P", rejected, nil, errs.CodeConflict},
	} {
		err := cases.MayCheckOriginals(tc.by, tc.center, tc.c, tc.tr)
		if (tc.code == "") != (err == nil) || tc.code != "" && !errs.Is(err, tc.code) {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
}

// TestCenterOfRegion: a region's own center, else the nearest one above it.
func TestCenterOfRegion(t *testing.T) {
	t.Parallel()
	centers := []network.Center{
		{Code: "CITY", RegionCode: "371600000000", Main: true},
		{Code: "ZH", RegionCode: "371603000000"},
		{Code: "BC", RegionCode: "371602000000"},
		{Code: "PL", RegionCode: "371602005000"},
	}
	for region, want := range map[string]string{"371603000000": "ZH", "371602005000": "PL", "371602001000": "BC", "371621000000": "CITY", "371600000000": "CITY"} {
		if c, ok := cases.CenterOfRegion(centers, region); !ok || c.Code != want {
			t.Errorf("%s: %s %v, want %s", region, c.Code, ok, want)
		}
	}
	if _, ok := cases.CenterOfRegion(centers, "370100000000"); ok {
		t.Error("a region outside every center's found one")
	}
}

// TestSortTransfers: a center's hand-offs in the boxes of its page — ready to send, waiting for
// the case, to sign for here, on their way, done newest first — and one of an ended case left out.
func TestSortTransfers(t *testing.T) {
	here, there := "C-PL", "C-ZH"
	list := []cases.Transfer{
		{ID: 1, Status: cases.TransferPending, From: here, To: there, Ready: true},
		{ID: 2, Status: cases.TransferPending, From: here, To: there, CaseStatus: cases.Accepted},
		{ID: 3, Status: cases.TransferPending, From: here, To: there, CaseStatus: cases.Withdrawn},
		{ID: 4, Status: cases.TransferSent, From: there, To: here},
		{ID: 5, Status: cases.TransferSent, From: here, To: there},
		{ID: 6, Status: cases.TransferReceived, From: there, To: here},
		{ID: 7, Status: cases.TransferReceived, From: here, To: there},
	}
	ids := func(ts []cases.Transfer) []int64 {
		var out []int64
		for _, t := range ts {
			out = append(out, t.ID)
		}
		return out
	}
	b := cases.SortTransfers(list, here)
	for name, got := range map[string][]int64{"待寄出": ids(b.ToSend), "待受理/待办结": ids(b.Later), "待签收": ids(b.ToReceive),
		"在途": ids(b.InTransit), "已签收": ids(b.Done)} {
		want := map[string][]int64{"待寄出": {1}, "待受理/待办结": {2}, "待签收": {4}, "在途": {5}, "已签收": {7, 6}}[name]
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
}

// TestResultHere: in person or by post only once the paper result is signed for; electronic
// always.
func TestResultHere(t *testing.T) {
	t.Parallel()
	pending := []cases.Transfer{{ID: 7, Kind: cases.TransferMaterials, Status: cases.TransferReceived}, {ID: 8, Kind: cases.TransferResult, Status: cases.TransferPending}}
	if err := cases.ResultHere("window", pending); !errs.Is(err, errs.CodeConflict) || !strings.Contains(err.Error(), "流转单 8 待寄出") {
		t.Errorf("window, result not sent: %v", err)
	}
	pending[1].Status = cases.TransferSent
	if err := cases.ResultHere("mail", pending); !errs.Is(err, errs.CodeConflict) {
		t.Errorf("post, result on its way: %v", err)
	}
	if err := cases.ResultHere("electronic", pending); err != nil {
		t.Errorf("electronic: %v", err)
	}
	pending[1].Status = cases.TransferReceived
	if err := cases.ResultHere("window", pending); err != nil {
		t.Errorf("signed for: %v", err)
	}
	if err := cases.ResultHere("window", nil); err != nil {
		t.Errorf("nothing travels: %v", err)
	}
}

// TestBundleDelivery: a bundle's one 出件地 is its members' when they agree, else where it was
// accepted.
func TestBundleDelivery(t *testing.T) {
	t.Parallel()
	a := cases.Route{AcceptedCenter: "M", AcceptedName: "市中心", Delivery: "Z", DeliveryName: "沾化"}
	b := a
	b.Delivery, b.DeliveryName = "B", "滨城"
	for _, tc := range []struct {
		name   string
		routes []cases.Route
		want   string
	}{
		{"all agree", []cases.Route{a, a}, "Z"},
		{"online members decided in two counties", []cases.Route{a, b}, "M"},
		{"none", nil, ""},
	} {
		if got, _ := cases.BundleDelivery(tc.routes); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}
