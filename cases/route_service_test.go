package cases_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"banhao/audit"
	"banhao/calendar"
	"banhao/cases"
	"banhao/catalog"
	"banhao/demo"
	"banhao/errs"
	"banhao/jobs"
	"banhao/network"
	"banhao/notify"
	"banhao/store"
)

const (
	zhanhua = "371603000000"
	city    = "371600000000"
)

// networked is e's case service on the demo network (滨州市, its counties, two township centers).
func (e *env) networked(t *testing.T) *cases.Service {
	t.Helper()
	if err := network.Seed(context.Background(), e.db, demo.Regions(), demo.Centers(), e.clk.now()); err != nil {
		t.Fatal(err)
	}
	return e.service(t, e.outbox(map[string]notify.Channel{"log": notify.LogChannel{Logger: quiet}}, jobs.Discard{}), jobs.Discard{}, "")
}

// routedCase registers at 彭李街道's window, with every material, a 社会保障卡申领 case for a
// 沾化区 resident — accepted, unless in refuses it: the case accepted in one region and decided
// in another that the network's tests start from. in adds the rest (originals, a refusal, …).
func (e *env) routedCase(t *testing.T, svc *cases.Service, in cases.CreateInput) cases.Case {
	t.Helper()
	code := e.itemCode(t, "社会保障卡申领")
	in.Item, in.Applicant, in.Materials, in.DecidingRegion = code, person, e.allMaterials(t, clerkPengli, code), zhanhua
	if in.Reject == nil {
		in.Accept = &cases.AcceptInput{}
	}
	c, _, err := svc.Create(context.Background(), clerkPengli, in, "")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// routedEnv is a test's env on the demo network, its case service and the routedCase accepted.
func routedEnv(t *testing.T, db *store.DB) (*env, *cases.Service, cases.Case) {
	t.Helper()
	e, svc := networkedEnv(t, db)
	return e, svc, e.routedCase(t, svc, cases.CreateInput{})
}

// allMaterials supplies every required material the applicant brings.
func (e *env) allMaterials(t *testing.T, by audit.Actor, code string) []cases.MaterialRef {
	t.Helper()
	it, err := e.cat.Item(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	file := e.uploadAs(t, by) // a case takes its actor's own uploads only
	var refs []cases.MaterialRef
	for _, m := range it.Materials {
		if m.Required && m.Source != catalog.SourceShared {
			refs = append(refs, cases.MaterialRef{MaterialID: m.ID, FileID: file})
		}
	}
	return refs
}

var (
	clerkPengli  = audit.Actor{Username: "clerk_pengli", Role: "clerk", Center: demo.PengliCenter}
	rsjZhanhua   = audit.Actor{Username: "approver_rsj_zhanhua", Role: "approver", Department: "RSJ-371603", Center: "ZWFW-371603"}
	rsjCity      = audit.Actor{Username: "approver_rsj", Role: "approver", Department: "RSJ"}
	clerkMain    = audit.Actor{Username: "clerk", Role: "clerk"}
	pengliCenter = "彭李街道便民服务中心"
)

// TestAcceptAnywhereDecideWhereCompetent: a clerk at the 彭李街道 center (滨城区) accepts a 全市通办
// item for a 沾化区 resident; the case is 沾化区's 人社局's, on the item's own deadline; the
// city's 人社局 cannot decide it, 沾化区's does; the result goes back to 彭李街道; the timeline says
// each hand-off in words.
func TestAcceptAnywhereDecideWhereCompetent(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, svc, c := routedEnv(t, db)
		it, _ := e.cat.Item(ctx, c.Item)
		if c.AcceptedCenter != demo.PengliCenter || c.DecidingRegion != zhanhua || c.DeliveryCenter != demo.PengliCenter ||
			c.Department.Code != "RSJ-371603" || c.Department.Name != "沾化区人力资源和社会保障局" {
			t.Fatalf("route: accepted %s, deciding %s, delivery %s, department %+v", c.AcceptedCenter, c.DecidingRegion, c.DeliveryCenter, c.Department)
		}
		if c.AcceptedCenterName != pengliCenter || c.DecidingRegionName != "沾化区" || c.DeliveryCenterName != pengliCenter {
			t.Fatalf("places in words: %q %q %q", c.AcceptedCenterName, c.DecidingRegionName, c.DeliveryCenterName)
		}
		e.dueBy(t, c, it.PromisedLimit, "the item's own (the route does not stop the clock)")
		if route := routeOf(c); route != "受理地：彭李街道便民服务中心 → 审批地：沾化区 沾化区人力资源和社会保障局 → 出件地：彭李街道便民服务中心" {
			t.Fatalf("route on the timeline: %q", route)
		}
		if _, err := svc.Act(ctx, rsjCity, c.Number, cases.DecisionInput{Decision: "approved"}); !errs.Is(err, errs.CodeForbidden) && !errs.Is(err, errs.CodeNotFound) {
			t.Fatalf("the city's 人社局 deciding 沾化区's case: %v", err)
		}
		list, total, err := svc.List(ctx, rsjZhanhua, cases.Query{Limit: 10})
		if err != nil || total != 1 || list[0].Number != c.Number {
			t.Fatalf("沾化区 approver's list: %d %v", total, err)
		}
		if _, total, _ := svc.List(ctx, rsjCity, cases.Query{Limit: 10}); total != 0 {
			t.Fatalf("the city's 人社局 sees %d cases of 沾化区", total)
		}
		d, err := svc.Act(ctx, rsjZhanhua, c.Number, cases.DecisionInput{Decision: "approved"})
		if err != nil {
			t.Fatal(err)
		}
		last := d.Timeline[len(d.Timeline)-1]
		if last.Action != "decide" || last.Text != "结果由沾化区人力资源和社会保障局送至出件地：彭李街道便民服务中心" {
			t.Fatalf("decision's hand-off: %s %q", last.Action, last.Text)
		}
		if tr, err := svc.TrackPublic(ctx, c.Number, person.Phone[len(person.Phone)-4:], "192.0.2.1"); err != nil ||
			tr.AcceptedCenterName != pengliCenter || tr.DecidingRegionName != "沾化区" || tr.DeliveryCenterName != pengliCenter {
			t.Fatalf("tracking: %+v %v", tr, err)
		}
	})
}

// TestRouteChoicesAndRefusals: the default region is the clerk's county; a county without the
// kind of department sends the case up to the city's, and says so; the main center's clerk
// works as before; mail and unknown centers; a city-level item takes no region; a center that
// does not accept an item refuses it naming the centers that do.
func TestRouteChoicesAndRefusals(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, svc := networkedEnv(t, db)
		card := e.itemCode(t, "社会保障卡申领")
		create := func(by audit.Actor, code, region, delivery string) (cases.Case, error) {
			c, _, err := svc.Create(ctx, by, cases.CreateInput{Item: code, Applicant: person, Materials: e.allMaterials(t, by, code),
				DecidingRegion: region, DeliveryCenter: delivery}, "")
			return c, err
		}
		c, err := create(clerkPengli, card, "", network.ByMail)
		if err != nil || c.DecidingRegion != "371602000000" || c.Department.Code != "RSJ-371602" || c.DeliveryCenter != network.ByMail || c.DeliveryCenterName != "邮寄送达" {
			t.Fatalf("default region (the township's county) by mail: %s %s %s %v", c.DecidingRegion, c.Department.Code, c.DeliveryCenter, err)
		}
		benefit := e.itemCode(t, "失业保险金申领") // 社保中心: in the demo only 沾化区 has one
		c, err = create(clerkPengli, benefit, "371621000000", "ZWFW-371621")
		if err != nil || c.DecidingRegion != city || c.Department.Code != "SBZX" || c.DeliveryCenter != "ZWFW-371621" {
			t.Fatalf("fallback to the city: %s %s %s %v", c.DecidingRegion, c.Department.Code, c.DeliveryCenter, err)
		}
		if tl := c.Timeline[len(c.Timeline)-1]; tl.Action != "route" || !strings.Contains(tl.Text, "惠民县未设该类部门，由滨州市社会保险事业中心审批") {
			t.Fatalf("fallback in words: %s %q", tl.Action, tl.Text)
		}
		c, err = create(clerkMain, card, "", "")
		if err != nil || c.AcceptedCenter != demo.CenterCode || c.DecidingRegion != city || c.Department.Code != "RSJ" || c.DeliveryCenter != demo.CenterCode {
			t.Fatalf("the main center's clerk: %s %s %s %v", c.AcceptedCenter, c.DecidingRegion, c.Department.Code, err)
		}
		for _, ev := range c.Timeline {
			if ev.Action == "route" {
				t.Fatalf("a case that stays at the main center has a hand-off: %q", ev.Text)
			}
		}
		if _, err := create(clerkPengli, card, "", "NO-SUCH"); !errs.Is(err, errs.CodeInvalid) {
			t.Fatalf("an unknown delivery center: %v", err)
		}
		company := e.itemCode(t, "企业设立登记") // 全市通办, decided by the city
		if _, err := create(clerkPengli, company, zhanhua, ""); !errs.Is(err, errs.CodeInvalid) || !strings.Contains(err.Error(), "本事项由滨州市审批") || strings.Contains(err.Error(), "3716") {
			t.Fatalf("a region chosen for a city-level item: %v, want refused naming the region, not its code", err)
		}
		if c, err := create(clerkPengli, company, "", ""); err != nil || c.DecidingRegion != city || c.Department.Code != "XZSP" {
			t.Fatalf("a city-level 通办 item at a township: %s %s %v", c.DecidingRegion, c.Department.Code, err)
		}
		// Not 通办, a city item: every center of the city accepts it (收受分离), the city decides.
		project := e.itemCode(t, "企业投资项目备案")
		if c, err := create(clerkPengli, project, "", ""); err != nil || c.AcceptedCenter != demo.PengliCenter || c.DecidingRegion != city || c.Department.Code != "FGW" {
			t.Fatalf("a non-通办 city item at a township center: %s %s %s %v", c.AcceptedCenter, c.DecidingRegion, c.Department.Code, err)
		}
		// Not 通办, 沾化区's own item: refused at a 滨城区 township, naming 沾化区's center.
		land := zhanhuaItem(t, e, "国有建设用地使用权及房屋所有权首次登记", "BDC-371603")
		_, err = create(clerkPengli, land, "", "")
		if !errs.Is(err, errs.CodeConflict) {
			t.Fatalf("a non-通办 item of another county at a township center: %v", err)
		}
		if msg := err.(*errs.Error).Message; !strings.Contains(msg, "沾化区政务服务中心") || !strings.Contains(msg, pengliCenter) || strings.Contains(msg, demo.CenterName) {
			t.Fatalf("refusal %q: want the township named and 沾化区's center, the only one that accepts the item", msg)
		}
		if n := countItemCases(t, db, land); n != 0 {
			t.Fatalf("%d cases of a refused item", n)
		}
	})
}

// TestClerksWorkTheirCentersCases: a center's clerk lists, opens and acts on the cases accepted or
// handed out at that center only — not a citizen's case of another center (the attacker review
// found a township clerk reading every case of the city, ID numbers and files included); the
// main center's clerk of no center sees all, as in a one-center installation.
func TestClerksWorkTheirCentersCases(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, svc := networkedEnv(t, db)
		card := e.itemCode(t, "社会保障卡申领")
		clerkZhanhua := audit.Actor{Username: "clerk_zhanhua", Role: "clerk", Center: "ZWFW-371603"}
		clerkBincheng := audit.Actor{Username: "clerk_bincheng", Role: "clerk", Center: "ZWFW-371602"}
		city, _, err := svc.Create(ctx, clerkMain, cases.CreateInput{Item: card, Applicant: person, Materials: e.allMaterials(t, clerkMain, card)}, "")
		if err != nil {
			t.Fatal(err)
		}
		// Accepted at 彭李街道, handed out at 沾化区.
		here, _, err := svc.Create(ctx, clerkPengli, cases.CreateInput{Item: card, Applicant: person, Materials: e.allMaterials(t, clerkPengli, card),
			DecidingRegion: zhanhua, DeliveryCenter: "ZWFW-371603"}, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			by   audit.Actor
			sees []string
		}{
			{clerkMain, []string{city.Number, here.Number}},
			{clerkPengli, []string{here.Number}},
			{clerkZhanhua, []string{here.Number}},
			{clerkBincheng, nil},
		} {
			list, total, err := svc.List(ctx, c.by, cases.Query{Limit: 10})
			var got []string
			for _, k := range list {
				got = append(got, k.Number)
			}
			slices.Sort(got)
			want := slices.Clone(c.sees)
			slices.Sort(want)
			if err != nil || total != len(want) || !slices.Equal(got, want) {
				t.Errorf("%s lists %v (%d), want %v: %v", c.by.Username, got, total, want, err)
			}
			for _, n := range []string{city.Number, here.Number} {
				_, err := svc.Get(ctx, c.by, n)
				if may := slices.Contains(c.sees, n); may != (err == nil) {
					t.Errorf("%s opens %s: %v, want allowed %v", c.by.Username, n, err, may)
				} else if !may && !errs.Is(err, errs.CodeForbidden) {
					t.Errorf("%s opens %s: %v, want forbidden", c.by.Username, n, err)
				}
			}
		}
		// Acting follows the same rule: 彭李街道's clerk cannot accept the city's case, the city's can.
		if _, err := svc.Act(ctx, clerkPengli, city.Number, cases.AcceptInput{}); !errs.Is(err, errs.CodeForbidden) {
			t.Fatalf("彭李街道's clerk accepts a city case: %v", err)
		}
		if _, err := svc.Act(ctx, clerkMain, city.Number, cases.AcceptInput{}); err != nil {
			t.Fatalf("the city's clerk accepts its case: %v", err)
		}
		if _, err := svc.Act(ctx, clerkPengli, here.Number, cases.AcceptInput{}); err != nil {
			t.Fatalf("彭李街道's clerk accepts its case: %v", err)
		}
		// The result is handed out where the applicant chose (沾化区), not at the accepting center.
		if _, err := svc.Act(ctx, rsjZhanhua, here.Number, cases.DecisionInput{Decision: "approved"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Act(ctx, clerkPengli, here.Number, cases.DeliveryInput{Method: "window"}); !errs.Is(err, errs.CodeForbidden) || !strings.Contains(err.Error(), "沾化区政务服务中心") {
			t.Fatalf("彭李街道's clerk hands out a result to be collected at 沾化区: %v", err)
		}
		if _, err := svc.Act(ctx, clerkZhanhua, here.Number, cases.DeliveryInput{Method: "window"}); err != nil {
			t.Fatalf("沾化区's clerk hands out its result: %v", err)
		}
		// The post chosen at intake: not handed over at a window.
		post, _, err := svc.Create(ctx, clerkPengli, cases.CreateInput{Item: card, Applicant: person, Materials: e.allMaterials(t, clerkPengli, card),
			DecidingRegion: zhanhua, DeliveryCenter: network.ByMail, Accept: &cases.AcceptInput{}}, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Act(ctx, rsjZhanhua, post.Number, cases.DecisionInput{Decision: "approved"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Act(ctx, clerkPengli, post.Number, cases.DeliveryInput{Method: "window"}); !errs.Is(err, errs.CodeInvalid) || !strings.Contains(err.Error(), "邮寄") {
			t.Fatalf("a result the applicant asked to be posted, handed over at a window: %v", err)
		}
		if _, err := svc.Act(ctx, clerkPengli, post.Number, cases.DeliveryInput{Method: "mail", TrackingNumber: "SF1234567890"}); err != nil {
			t.Fatalf("posted: %v", err)
		}
		// A region of the right shape that does not exist is refused, not quietly replaced.
		_, _, err = svc.Create(ctx, clerkPengli, cases.CreateInput{Item: card, Applicant: person, Materials: e.allMaterials(t, clerkPengli, card),
			DecidingRegion: "371699000000"}, "")
		if !errs.Is(err, errs.CodeInvalid) || !strings.Contains(err.Error(), "不存在") {
			t.Fatalf("an unknown region: %v", err)
		}
	})
}

func TestAtWindowOf(t *testing.T) {
	for _, c := range []struct {
		a                  audit.Actor
		accepted, delivery string
		want               bool
	}{
		{audit.Actor{Role: "clerk"}, "A", "B", true},
		{audit.Actor{Role: "clerk", Center: "A"}, "A", "B", true},
		{audit.Actor{Role: "clerk", Center: "B"}, "A", "B", true},
		{audit.Actor{Role: "clerk", Center: "C"}, "A", "B", false},
		{audit.Actor{Role: "clerk", Center: "C"}, "A", "mail", false},
		{audit.Actor{Role: "approver", Center: "C", Department: "X"}, "A", "B", true},
		{audit.Actor{Role: "supervisor", Center: "C"}, "A", "B", true},
	} {
		if got := cases.AtWindowOf(c.a, c.accepted, c.delivery); got != c.want {
			t.Errorf("AtWindowOf(%+v, %s, %s) = %v", c.a, c.accepted, c.delivery, got)
		}
	}
}

// TestOneStepHandsOverHere: a result finished at the window (一柜办结) is handed to the applicant
// there, so the 出件地 must be the accepting center: a clerk at the city center cannot finish a
// case whose result the applicant collects at 沾化区 or by post (the record would name a place
// the result never went to); nothing is written, and the field is named.
func TestOneStepHandsOverHere(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, svc := networkedEnv(t, db)
		e.addAccounts(t, account{name: "clerk", role: "clerk"}, account{name: "approver_gjj", role: "approver", dept: "GJJ"})
		code, _ := e.republish(t, "住房公积金提取（购买住房）", func(it *catalog.Item) { it.HandlingMode = catalog.ModeImmediate })
		today := calendar.DateOf(e.clk.now(), shanghai)
		if _, err := svc.GrantWindow(ctx, gjjApprover, cases.GrantInput{Username: "clerk", Department: "GJJ", Item: code, Kind: cases.GrantChief,
			StartsOn: today, EndsOn: today.AddDays(30)}); err != nil {
			t.Fatal(err)
		}
		payForm, _ := json.Marshal(demo.PaymentForm("5000", "6222000011112222", "张三")) // 秒到账: the item pays
		in := cases.CreateInput{Item: code, Applicant: person, Channel: "window", DecidingRegion: city, OneStep: &cases.OneStepInput{}, Form: payForm,
			Materials: e.allMaterials(t, clerkMain, code)}
		for _, delivery := range []string{"ZWFW-371603", network.ByMail} {
			in.DeliveryCenter = delivery
			_, _, err := svc.Create(ctx, clerkMain, in, "")
			fe, ok := errs.As(err)
			if !ok || fe.Code != errs.CodeInvalid || len(fe.Fields) == 0 || fe.Fields[0].Field != "delivery_center" ||
				!strings.Contains(fe.Fields[0].Message, "出件地请选择滨州市政务服务中心") {
				t.Errorf("one step with the result collected at %s: %v", delivery, err)
			}
		}
		if n := countCases(t, db); n != 0 {
			t.Fatalf("%d cases after refused one-step posts", n)
		}
		in.DeliveryCenter = ""
		c, _, err := svc.Create(ctx, clerkMain, in, "")
		if err != nil || c.Status != cases.Delivered || c.DeliveryCenter != c.AcceptedCenter {
			t.Fatalf("one step handed over here: %v %+v", err, c)
		}
	})
}

// TestUnknownDeliveryCenterNamedShortly: a 出件地 that is no center is refused under its field,
// naming what was sent cut short, and nothing is written.
func TestUnknownDeliveryCenterNamedShortly(t *testing.T) {
	e := newEnv(t, sqliteWithCatalog(t))
	svc := e.networked(t)
	code := e.itemCode(t, "社会保障卡申领")
	_, _, err := svc.Create(context.Background(), clerkPengli, cases.CreateInput{Item: code, Applicant: person, Materials: e.allMaterials(t, clerkPengli, code),
		DecidingRegion: zhanhua, DeliveryCenter: strings.Repeat("Z", 3000), Accept: &cases.AcceptInput{}}, "")
	fe, ok := errs.As(err)
	if !ok || len(fe.Fields) == 0 || fe.Fields[0].Field != "delivery_center" || !strings.Contains(fe.Fields[0].Message, "不存在，请从列表中选择") ||
		len(fe.Fields[0].Message) > 200 {
		t.Errorf("an unknown 出件地: %v", err)
	}
	if n := countCases(t, e.db); n != 0 {
		t.Errorf("%d cases after a refused 出件地", n)
	}
}

// TestOneStepUnderTheDecidingDepartmentsAuthorisation: 一柜办结 of a 全市通办 即办 item counts
// the authorisation of the department that decides the case — a 沾化区 clerk authorised by
// 沾化区's 公积金管理部 finishes a 沾化区 resident's 提取 at once (the intake page offers it); a
// clerk authorised by the city's 公积金中心 cannot finish a case that 沾化区 decides, and is told
// to take the normal path, nothing written.
func TestOneStepUnderTheDecidingDepartmentsAuthorisation(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, svc := networkedEnv(t, db)
		e.addCountyGJJ(t)
		e.addAccounts(t, account{name: "clerk", role: "clerk"}, account{name: "clerk_zhanhua", role: "clerk", center: "ZWFW-371603"})
		code, it := e.republish(t, "住房公积金提取（购买住房）", countyImmediate)
		today := calendar.DateOf(e.clk.now(), shanghai)
		zhGJJ := audit.Actor{Username: "approver_gjj_zhanhua", Role: "approver", Department: "GJJ-371603", Center: "ZWFW-371603"}
		if _, err := svc.GrantWindow(ctx, zhGJJ, cases.GrantInput{Username: "clerk_zhanhua", Department: "GJJ-371603", Kind: cases.GrantWindow,
			StartsOn: today, EndsOn: today.AddDays(30)}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.GrantWindow(ctx, gjjApprover, cases.GrantInput{Username: "clerk", Department: "GJJ", Item: code, Kind: cases.GrantChief,
			StartsOn: today, EndsOn: today.AddDays(30)}); err != nil {
			t.Fatal(err)
		}
		clerkZhanhua := audit.Actor{Username: "clerk_zhanhua", Role: "clerk", Center: "ZWFW-371603"}
		if g, err := svc.OneStepGrant(ctx, clerkZhanhua, it); err != nil || g.Department != "GJJ-371603" {
			t.Errorf("the 沾化区 clerk's intake page does not offer 一柜办结: %+v %v", g, err)
		}
		payForm, _ := json.Marshal(demo.PaymentForm("5000", "6222000011112222", "张三")) // 秒到账: the item pays
		c, _, err := svc.Create(ctx, clerkZhanhua, cases.CreateInput{Item: code, Applicant: person, Channel: "window", OneStep: &cases.OneStepInput{}, Form: payForm,
			Materials: e.allMaterials(t, clerkZhanhua, code)}, "")
		if err != nil || c.Status != cases.Delivered || c.Department.Code != "GJJ-371603" {
			t.Fatalf("one step at 沾化区 under 沾化区's authorisation: %v %+v", err, c.Department)
		}
		_, _, err = svc.Create(ctx, clerkMain, cases.CreateInput{Item: code, Applicant: person, Channel: "window", OneStep: &cases.OneStepInput{}, Form: payForm,
			DecidingRegion: zhanhua, Materials: e.allMaterials(t, clerkMain, code)}, "")
		if !errs.Is(err, errs.CodeForbidden) || !strings.Contains(err.Error(), "请受理后转部门审批") {
			t.Errorf("the city's authorisation for a case 沾化区 decides: %v", err)
		}
		if n := countCases(t, db); n != 1 {
			t.Errorf("%d cases, want the one finished at 沾化区", n)
		}
	})
}

// TestOnlineAndKioskAreRouted: an application made online or at a kiosk goes where one at the
// window would — a 滨城区 resident's online 社会保障卡申领 (全市通办, decided by the county) is
// 滨城区's 人社局's, by their ID number; the applicant may choose another county and any 出件地;
// a kiosk's application is accepted at the kiosk's center; at the window the applicant's ID
// number decides by default, not the clerk's county.
func TestOnlineAndKioskAreRouted(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, svc := networkedEnv(t, db)
		card := e.itemCode(t, "社会保障卡申领")
		binResident := cases.Applicant{Type: "person", Name: "李梅", IDNumber: idNumber("37160219850315004"), Phone: "13805431234"}
		zhanResident := cases.Applicant{Type: "person", Name: "王芳", IDNumber: idNumber("37160319800101002"), Phone: "13805431236"}
		online := audit.Actor{Username: "applicant:1", Role: "applicant"}
		create := func(by audit.Actor, channel string, ap cases.Applicant, region, delivery string) (cases.Case, error) {
			c, _, err := svc.Create(ctx, by, cases.CreateInput{Item: card, Channel: channel, Applicant: ap, Materials: e.allMaterials(t, by, card),
				DecidingRegion: region, DeliveryCenter: delivery}, "")
			return c, err
		}
		c, err := create(online, "online", binResident, "", "")
		if err != nil || c.AcceptedCenter != demo.CenterCode || c.DecidingRegion != "371602000000" || c.Department.Code != "RSJ-371602" {
			t.Fatalf("online, a 滨城区 resident: accepted %s, deciding %s, department %s, %v", c.AcceptedCenter, c.DecidingRegion, c.Department.Code, err)
		}
		c, err = create(online, "online", binResident, zhanhua, demo.PengliCenter)
		if err != nil || c.DecidingRegion != zhanhua || c.Department.Code != "RSJ-371603" || c.DeliveryCenter != demo.PengliCenter {
			t.Fatalf("online, 沾化区 chosen, 出件地 彭李街道: %s %s %s %v", c.DecidingRegion, c.Department.Code, c.DeliveryCenter, err)
		}
		c, err = create(online, "online", person, "", network.ByMail) // a Beijing number: the item's own region
		if err != nil || c.DecidingRegion != city || c.Department.Code != "RSJ" || c.DeliveryCenter != network.ByMail {
			t.Fatalf("online, a number outside the tree: %s %s %s %v", c.DecidingRegion, c.Department.Code, c.DeliveryCenter, err)
		}
		kiosk := online
		kiosk.Center = demo.PengliCenter
		c, err = create(kiosk, "kiosk", zhanResident, "", "")
		if err != nil || c.AcceptedCenter != demo.PengliCenter || c.DecidingRegion != zhanhua || c.DeliveryCenter != demo.PengliCenter {
			t.Fatalf("kiosk at 彭李街道, a 沾化区 resident: accepted %s, deciding %s, delivery %s, %v", c.AcceptedCenter, c.DecidingRegion, c.DeliveryCenter, err)
		}
		c, err = create(clerkPengli, "window", zhanResident, "", "")
		if err != nil || c.AcceptedCenter != demo.PengliCenter || c.DecidingRegion != zhanhua || c.Department.Code != "RSJ-371603" {
			t.Fatalf("window at 彭李街道, a 沾化区 resident, nothing chosen: deciding %s, department %s, %v", c.DecidingRegion, c.Department.Code, err)
		}
		if _, err := create(online, "online", binResident, "371702000000", ""); !errs.Is(err, errs.CodeInvalid) {
			t.Fatalf("online, a region outside the city: %v", err)
		}
	})
}

// TestRoutePlanSaysTheFallbackBeforeSubmit: the form's plan names, for each region, the
// department that would decide, and says which regions lack the item's kind of department (the
// city decides) before anything is submitted; the applicant's county is preselected.
func TestRoutePlanSaysTheFallbackBeforeSubmit(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, svc := networkedEnv(t, db)
		benefit, _ := e.cat.Item(ctx, e.itemCode(t, "失业保险金申领")) // 社保中心: in the demo only 沾化区 has one
		huimin := "371621000000"
		huiminResident := cases.Applicant{Type: "person", Name: "王芳", IDNumber: idNumber("37162119800101002")}
		p, err := svc.RoutePlan(ctx, audit.Actor{Username: "applicant:1", Role: "applicant"}, benefit, "online", huiminResident)
		if err != nil {
			t.Fatal(err)
		}
		if p.Here.Code != demo.CenterCode || p.Default != huimin || p.DefaultChoice == nil || p.DefaultChoice.Code != huimin {
			t.Fatalf("plan: here %s, default %s", p.Here.Code, p.Default)
		}
		if got := p.DefaultChoice.FallbackText(); got != "惠民县未设该类部门，由滨州市社会保险事业中心审批" {
			t.Fatalf("fallback note: %q", got)
		}
		if notes := p.FallbackNotes(); len(notes) != 1 || !strings.HasPrefix(notes[0], "滨城区、惠民县、") || !strings.HasSuffix(notes[0], "未设该类部门，由滨州市社会保险事业中心审批") {
			t.Fatalf("the notes, one per deciding department: %q", notes)
		}
		card, _ := e.cat.Item(ctx, e.itemCode(t, "社会保障卡申领"))
		p, err = svc.RoutePlan(ctx, clerkPengli, card, "window", cases.Applicant{})
		if err != nil || p.Here.Code != demo.PengliCenter || p.Default != "371602000000" || len(p.Regions) != 8 {
			t.Fatalf("window plan: here %s default %s, %d regions, %v", p.Here.Code, p.Default, len(p.Regions), err)
		}
		for _, r := range p.Regions {
			if r.Fallback || r.Level == network.County && r.Department.Region != r.Code {
				t.Fatalf("人社局 in every county: %+v", r)
			}
		}
		land, _ := e.cat.Item(ctx, zhanhuaItem(t, e, "国有建设用地使用权及房屋所有权首次登记", "BDC-371603")) // not 通办: 沾化区's centers only
		if p, err := svc.RoutePlan(ctx, clerkPengli, land, "window", cases.Applicant{}); err != nil || !strings.Contains(p.Refusal, "沾化区政务服务中心") {
			t.Fatalf("refusal before typing: %q %v", p.Refusal, err)
		}
		project, _ := e.cat.Item(ctx, e.itemCode(t, "企业投资项目备案")) // not 通办, the city's: accepted at every center of the city
		if p, err := svc.RoutePlan(ctx, clerkPengli, project, "window", cases.Applicant{}); err != nil || p.Refusal != "" {
			t.Fatalf("a city item refused before typing at a township: %q %v", p.Refusal, err)
		}
	})
}

// zhanhuaItem derives 沾化区's implementing item of a standard item for its department dept (the
// demo does so for every county; the tests' catalog holds the city's standard list only).
func zhanhuaItem(t *testing.T, e *env, name, dept string) string {
	t.Helper()
	it, err := e.cat.Derive(context.Background(), audit.System, e.itemCode(t, name), catalog.Local{Department: dept, Status: catalog.StatusPublished})
	if err != nil {
		t.Fatal(err)
	}
	return it.Code
}

// TestCenterTakesItsRegionsItemInPlaceOfTheStandard: the city's 不动产转移登记 (not 通办) taken at
// 沾化区's window — opened by its standard code (a link, a bookmark, the API) — is made under
// 沾化区's published implementing item (its department, limit and region), as the item picker
// shows it; the plan says so before anything is typed; at the city center and online the city's
// standard still decides.
func TestCenterTakesItsRegionsItemInPlaceOfTheStandard(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, svc := networkedEnv(t, db)
		std := e.itemCode(t, "不动产转移登记（存量房买卖）")
		three := catalog.Limit{Value: 3, Unit: catalog.WorkingDay}
		local, err := e.cat.Derive(ctx, audit.System, std, catalog.Local{Department: "BDC-371603", PromisedLimit: &three, Status: catalog.StatusPublished})
		if err != nil {
			t.Fatal(err)
		}
		clerkZhanhua := audit.Actor{Username: "clerk_zhanhua", Role: "clerk", Center: "ZWFW-371603"}
		create := func(by audit.Actor, channel string) (cases.Case, error) {
			c, _, err := svc.Create(ctx, by, cases.CreateInput{Item: std, Applicant: person, Channel: channel, Materials: e.allMaterials(t, by, std)}, "")
			return c, err
		}
		c, err := create(clerkZhanhua, "window")
		if err != nil || c.Item != local.Code || c.Department.Code != "BDC-371603" || c.DecidingRegion != "371603000000" || c.Limit != three {
			t.Fatalf("the city's standard at 沾化区's window: item %s dept %s region %s limit %v %v; want 沾化区's %s", c.Item, c.Department.Code, c.DecidingRegion, c.Limit, err, local.Code)
		}
		stdItem, _ := e.cat.Item(ctx, std)
		if p, err := svc.RoutePlan(ctx, clerkZhanhua, stdItem, "window", cases.Applicant{}); err != nil || p.Local == nil || p.Local.Code != local.Code || p.Refusal != "" {
			t.Fatalf("the plan at 沾化区: %+v %v", p.Local, err)
		}
		picked, _, err := svc.LocalItems(ctx, clerkZhanhua, []catalog.Summary{{Code: std}}, "")
		if err != nil || len(picked) != 1 || picked[0].Code != c.Item {
			t.Fatalf("the picker and the case disagree: %+v %v", picked, err)
		}
		// the city center's window and online: the city decides as before
		if c, err := create(clerk, "window"); err != nil || c.Item != std || c.DecidingRegion == "371603000000" {
			t.Fatalf("the city center: %s %s %v", c.Item, c.DecidingRegion, err)
		}
		if p, err := svc.RoutePlan(ctx, clerk, stdItem, "window", cases.Applicant{}); err != nil || p.Local != nil {
			t.Fatalf("the plan at the city center: %+v %v", p.Local, err)
		}
	})
}
