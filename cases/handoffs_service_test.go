package cases_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"banhao/audit"
	"banhao/cases"
	"banhao/demo"
	"banhao/errs"
	"banhao/store"
)

// TestSelfServiceResultsTravel: an online applicant who chooses to collect at 彭李街道 a result
// 沾化区 decides opens the result's hand-off 沾化区 → 彭李街道 (no materials: they are files); one
// who chooses nothing collects it where it is decided, and nothing travels; a kiosk's applicant
// at 彭李街道 collects there by default, so the result travels; what was chosen is kept. Every
// case's number carries the deciding region's code.
func TestSelfServiceResultsTravel(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, svc := networkedEnv(t, db)
		card := e.itemCode(t, "社会保障卡申领")
		zhanResident := cases.Applicant{Type: "person", Name: "王芳", IDNumber: idNumber("37160319800101002"), Phone: "13805431236"}
		online := audit.Actor{Username: "applicant:1", Role: "applicant"}
		kiosk := online
		kiosk.Center = demo.PengliCenter
		create := func(by audit.Actor, channel, delivery string) cases.Case {
			t.Helper()
			c, _, err := svc.Create(ctx, by, cases.CreateInput{Item: card, Channel: channel, Applicant: zhanResident, Materials: e.allMaterials(t, by, card),
				DeliveryCenter: delivery}, "")
			if err != nil {
				t.Fatal(err)
			}
			if c.DecidingRegion != zhanhua || !strings.HasPrefix(c.Number, "371603-") {
				t.Fatalf("%s: deciding %s, number %s: want 沾化区's, numbered 371603-…", channel, c.DecidingRegion, c.Number)
			}
			return c
		}
		legs := func(c cases.Case) string {
			var out []string
			for _, tr := range c.Transfers {
				out = append(out, tr.Kind+" "+tr.From+"→"+tr.To)
			}
			return strings.Join(out, "; ")
		}
		c := create(online, "online", demo.PengliCenter)
		if !c.DeliveryChosen || c.DeliveryCenter != demo.PengliCenter || legs(c) != "result "+zhanhuaCenter+"→"+demo.PengliCenter {
			t.Fatalf("online, 彭李街道 chosen: chosen %v, delivery %s, hand-offs %q", c.DeliveryChosen, c.DeliveryCenter, legs(c))
		}
		c = create(online, "online", "")
		if c.DeliveryChosen || c.DeliveryCenter != zhanhuaCenter || c.DeliveryCenterName != "沾化区政务服务中心" || len(c.Transfers) != 0 {
			t.Fatalf("online, nothing chosen: chosen %v, delivery %s %s, hand-offs %q", c.DeliveryChosen, c.DeliveryCenter, c.DeliveryCenterName, legs(c))
		}
		c = create(online, "online", "mail")
		if !c.DeliveryChosen || len(c.Transfers) != 0 {
			t.Fatalf("online by post: chosen %v, hand-offs %q", c.DeliveryChosen, legs(c))
		}
		c = create(kiosk, "kiosk", "")
		if c.DeliveryChosen || c.DeliveryCenter != demo.PengliCenter || legs(c) != "result "+zhanhuaCenter+"→"+demo.PengliCenter {
			t.Fatalf("kiosk at 彭李街道, nothing chosen: chosen %v, delivery %s, hand-offs %q", c.DeliveryChosen, c.DeliveryCenter, legs(c))
		}
		got, err := svc.Get(ctx, clerkPengli, c.Number)
		if err != nil || got.DeliveryChosen || len(got.Transfers) != 1 {
			t.Fatalf("kiosk case read back: chosen %v, hand-offs %d, %v", got.DeliveryChosen, len(got.Transfers), err)
		}
		w, _, err := svc.Create(ctx, clerkPengli, cases.CreateInput{Item: card, Applicant: zhanResident, Materials: e.allMaterials(t, clerkPengli, card),
			DeliveryCenter: demo.PengliCenter}, "")
		if err != nil || !w.DeliveryChosen || !strings.HasPrefix(w.Number, "371603-") {
			t.Fatalf("window at 彭李街道 for 沾化区: chosen %v, number %s, %v", w.DeliveryChosen, w.Number, err)
		}
	})
}

// TestDeliveryWaitsForThePaperResult: 彭李街道's clerk cannot hand out in person (or post) a
// result 沾化区 decided until its paper has been signed for at 彭李街道 — the refusal names the
// hand-off and where it stands; electronic delivery does not wait; the delivery list's look-up
// says which cases wait.
func TestDeliveryWaitsForThePaperResult(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, svc := networkedEnv(t, db)
		card := e.itemCode(t, "社会保障卡申领")
		apply := func() cases.Case {
			t.Helper()
			c, _, err := svc.Create(ctx, clerkPengli, cases.CreateInput{Item: card, Applicant: person, Materials: e.allMaterials(t, clerkPengli, card),
				DecidingRegion: zhanhua, Accept: &cases.AcceptInput{}}, "")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Act(ctx, rsjZhanhua, c.Number, cases.DecisionInput{Decision: "approved"}); err != nil {
				t.Fatal(err)
			}
			return c
		}
		c := apply()
		res := c.Transfers[1]
		if res.Kind != cases.TransferResult {
			t.Fatalf("hand-offs: %+v", c.Transfers)
		}
		waiting, err := svc.ResultsAwaited(ctx, []string{c.Number})
		if err != nil || waiting[c.Number].ID != res.ID {
			t.Fatalf("awaited: %+v %v", waiting, err)
		}
		_, err = svc.Act(ctx, clerkPengli, c.Number, cases.DeliveryInput{Method: "window"})
		if e, ok := errs.As(err); !ok || e.Code != errs.CodeConflict || !strings.Contains(e.Message, "纸质结果尚未送达本中心") || !strings.Contains(e.Message, "待寄出") {
			t.Fatalf("handing out a result still at 沾化区: %v", err)
		}
		if _, err := svc.SendTransfers(ctx, clerkZhanhua, []int64{res.ID}, "B-9"); err != nil {
			t.Fatal(err)
		}
		_, err = svc.Act(ctx, clerkPengli, c.Number, cases.DeliveryInput{Method: "mail", TrackingNumber: "SF1"})
		if e, ok := errs.As(err); !ok || !strings.Contains(e.Message, "已寄出") {
			t.Fatalf("posting a result on its way: %v", err)
		}
		if _, err := svc.ReceiveTransfer(ctx, clerkPengli, res.ID); err != nil {
			t.Fatal(err)
		}
		if waiting, err := svc.ResultsAwaited(ctx, []string{c.Number}); err != nil || len(waiting) != 0 {
			t.Fatalf("awaited after signing: %+v %v", waiting, err)
		}
		if d, err := svc.Act(ctx, clerkPengli, c.Number, cases.DeliveryInput{Method: "window"}); err != nil || d.Status != cases.Delivered {
			t.Fatalf("delivery once signed for: %v", err)
		}
		c = apply() // electronic: no paper to wait for
		if d, err := svc.Act(ctx, clerkPengli, c.Number, cases.DeliveryInput{Method: "electronic"}); err != nil || d.Status != cases.Delivered {
			t.Fatalf("electronic delivery: %v", err)
		}
	})
}

// TestBundleMembersRouted: 开办企业 applied for at the 彭李街道 window for a company of 沾化区 is
// accepted there (the bundle's 受理地 and 出件地); each member is decided by its competent
// department — the county decides the members 沾化区 has departments for, the city the others —
// numbered by its deciding region, each with its own paper hand-offs; the bundle is handed out
// at 彭李街道 only once every member's paper result has been signed for there — the applicant is
// texted so once, when the last has been.
func TestBundleMembersRouted(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, svc := networkedEnv(t, db)
		org := cases.Applicant{Type: "organization", Name: "滨州示例科技有限公司", IDNumber: "91350100M000100Y43", Phone: "13805431234"}
		p, _, err := svc.Create(ctx, clerkPengli, cases.CreateInput{Bundle: "KBQY", Applicant: org, Form: companyForm,
			Materials: pengliBundleMaterials(t, e, "KBQY"), DecidingRegion: zhanhua, Accept: &cases.AcceptInput{}}, "")
		if err != nil {
			t.Fatal(err)
		}
		if p.AcceptedCenter != demo.PengliCenter || p.DeliveryCenter != demo.PengliCenter {
			t.Fatalf("bundle: accepted %s, delivery %s, want 彭李街道's", p.AcceptedCenter, p.DeliveryCenter)
		}
		county := 0
		var results []cases.Transfer
		for _, ch := range p.Children {
			k, err := svc.Get(ctx, clerkPengli, ch.Number)
			if err != nil {
				t.Fatal(err)
			}
			if k.AcceptedCenter != demo.PengliCenter || k.DeliveryCenter != demo.PengliCenter || k.Number[:6] != k.DecidingRegion[:6] {
				t.Fatalf("member %s (%s): accepted %s, delivery %s, deciding %s", k.Number, k.ItemName, k.AcceptedCenter, k.DeliveryCenter, k.DecidingRegion)
			}
			if k.DecidingRegion == zhanhua {
				county++
				if !strings.HasSuffix(k.Department.Code, "-371603") {
					t.Fatalf("member %s decided in 沾化区 by %s", k.ItemName, k.Department.Code)
				}
			} else if k.DecidingRegion != city {
				t.Fatalf("member %s decided in %s", k.ItemName, k.DecidingRegion)
			}
			if len(k.Transfers) != 2 || k.Transfers[0].Kind != cases.TransferMaterials || k.Transfers[0].From != demo.PengliCenter ||
				k.Transfers[1].Kind != cases.TransferResult || k.Transfers[1].To != demo.PengliCenter {
				t.Fatalf("member %s hand-offs: %+v", k.ItemName, k.Transfers)
			}
			results = append(results, k.Transfers[1])
			if _, err := svc.Act(ctx, audit.Actor{Username: "approver_x", Role: "approver", Department: k.Department.Code}, k.Number,
				cases.DecisionInput{Decision: "approved"}); err != nil {
				t.Fatalf("deciding %s by %s: %v", k.ItemName, k.Department.Code, err)
			}
		}
		if county == 0 || county == len(p.Children) {
			t.Fatalf("%d of %d members decided by 沾化区: want the county's and the city's", county, len(p.Children))
		}
		_, err = svc.Act(ctx, clerkPengli, p.Number, cases.DeliveryInput{Method: "window"})
		if !errs.Is(err, errs.CodeConflict) || !strings.Contains(err.Error(), "纸质结果尚未送达本中心") {
			t.Fatalf("handing out a bundle whose members' results are elsewhere: %v", err)
		}
		told := func(event string) (n int, body string) { // the bundle's applicant's texts of event
			t.Helper()
			err := db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(body), '') FROM notifications WHERE recipient = ? AND event = ?`,
				"case:"+p.Number, event).Scan(&n, &body)
			if err != nil {
				t.Fatal(err)
			}
			return n, body
		}
		if n, body := told("case.decide"); n != 1 || !strings.Contains(body, "各事项办理结果送达彭李街道便民服务中心后将短信通知您领取") {
			t.Fatalf("the bundle's decision text (%d): %q", n, body)
		}
		for i, r := range results {
			from := clerkMain
			if r.From == zhanhuaCenter {
				from = clerkZhanhua
			}
			if _, err := svc.SendTransfers(ctx, from, []int64{r.ID}, "B"); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.ReceiveTransfer(ctx, clerkPengli, r.ID); err != nil {
				t.Fatal(err)
			}
			if n, body := told("case.result_arrived"); i < len(results)-1 && n != 0 || i == len(results)-1 && (n != 1 || !strings.Contains(body, "各事项办理结果已送达彭李街道便民服务中心")) {
				t.Fatalf("after %d of %d members' results signed for, %d arrival texts: %q", i+1, len(results), n, body)
			}
		}
		if d, err := svc.Act(ctx, clerkPengli, p.Number, cases.DeliveryInput{Method: "window"}); err != nil || d.Status != cases.Delivered {
			t.Fatalf("the bundle once every result is here: %v", err)
		}
	})
}

// pengliBundleMaterials is bundleMaterials uploaded by 彭李街道's clerk (a case takes its actor's
// own uploads only).
func pengliBundleMaterials(t *testing.T, e *env, code string) []cases.MaterialRef {
	t.Helper()
	refs := bundleMaterials(t, e, code)
	file := e.uploadAs(t, clerkPengli)
	for i := range refs {
		refs[i].FileID = file
	}
	return refs
}

// TestBundleLaterStageRouted: 新生儿出生一件事 taken at the city center's window for a family of
// 沾化区: its first stage (出生医学证明, the city's) is decided by the city; once it is, the second
// stage's members each county decides (出生登记, 医保, 社保卡) go to 沾化区's departments, the
// region chosen at intake (kept on the bundle), each with its result's hand-off to the city
// center and none for materials.
func TestBundleLaterStageRouted(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, svc := networkedEnv(t, db)
		form := json.RawMessage(`{"baby_name":"王小明","birth_date":"2026-09-01","baby_sex":"男","hospital":"滨州市人民医院","mother_name":"王芳",
			"mother_id":"11010519491231002X","phone":"13805431234","household_address":"滨州市沾化区富源街道"}`)
		p, _, err := svc.Create(ctx, clerk, cases.CreateInput{Bundle: "XSECS", Applicant: person, Form: form,
			Materials: bundleMaterials(t, e, "XSECS"), DecidingRegion: zhanhua, Accept: &cases.AcceptInput{}}, "")
		if err != nil {
			t.Fatal(err)
		}
		if p.DecidingRegion != zhanhua || len(p.Children) != 1 {
			t.Fatalf("bundle: deciding %s, %d members", p.DecidingRegion, len(p.Children))
		}
		first, err := svc.Get(ctx, clerk, p.Children[0].Number)
		if err != nil || first.DecidingRegion != city {
			t.Fatalf("出生医学证明: deciding %s, %v", first.DecidingRegion, err)
		}
		if _, err := svc.Act(ctx, audit.Actor{Username: "approver_x", Role: "approver", Department: first.Department.Code}, first.Number,
			cases.DecisionInput{Decision: "approved"}); err != nil {
			t.Fatal(err)
		}
		p, err = svc.Get(ctx, clerk, p.Number)
		if err != nil || len(p.Children) != 4 {
			t.Fatalf("stage 2 not opened: %d members, %v", len(p.Children), err)
		}
		for _, ch := range p.Children[1:] {
			k, err := svc.Get(ctx, clerk, ch.Number)
			if err != nil {
				t.Fatal(err)
			}
			if k.DecidingRegion != zhanhua || !strings.HasPrefix(k.Number, "371603-") || len(k.Transfers) != 1 ||
				k.Transfers[0].Kind != cases.TransferResult || k.Transfers[0].To != demo.CenterCode {
				t.Fatalf("stage 2 member %s: deciding %s, number %s, hand-offs %+v", k.ItemName, k.DecidingRegion, k.Number, k.Transfers)
			}
		}
	})
}

// TestApplicantToldWhereAndWhenToCollect: the decision's text names the 出件地 the applicant
// chose, not the item's own place; while the paper result travels there (彭李街道) it says the
// applicant will be texted on its arrival, and signing for it at 彭李街道 texts "已送达…请携带身份
// 证件到…领取" with the center's address — nothing when it is only sent. A result collected where
// it is decided (沾化区) travels nowhere: the text says where to collect it at once; one by post
// says so.
func TestApplicantToldWhereAndWhenToCollect(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, svc := networkedEnv(t, db)
		texts := func(c cases.Case, event string) []string { t.Helper(); return textsOf(t, db, c.Number, event) }
		decide := func(in cases.CreateInput) (cases.Case, string, string) {
			t.Helper()
			c := e.routedCase(t, svc, in)
			if _, err := svc.Act(ctx, rsjZhanhua, c.Number, cases.DecisionInput{Decision: "approved"}); err != nil {
				t.Fatal(err)
			}
			it, err := svc.ItemOf(ctx, c)
			if err != nil || it.ResultName == "" {
				t.Fatalf("item: %+v %v", it, err)
			}
			got := texts(c, "case.decide")
			if len(got) != 1 {
				t.Fatalf("decision texts: %q", got)
			}
			return c, it.ResultName, got[0]
		}

		c, result, text := decide(cases.CreateInput{DeliveryCenter: demo.PengliCenter})
		if want := "已办结，准予办理。" + result + "送达彭李街道便民服务中心后将短信通知您领取。"; !strings.HasSuffix(text, want) {
			t.Fatalf("decision with the result travelling: %q, want …%q", text, want)
		}
		res := c.Transfers[len(c.Transfers)-1]
		if res.Kind != cases.TransferResult {
			t.Fatalf("hand-offs: %+v", c.Transfers)
		}
		if _, err := svc.SendTransfers(ctx, clerkZhanhua, []int64{res.ID}, "B-1"); err != nil {
			t.Fatal(err)
		}
		if got := texts(c, "case.result_arrived"); len(got) != 0 {
			t.Fatalf("texted when only sent: %q", got)
		}
		if _, err := svc.ReceiveTransfer(ctx, clerkPengli, res.ID); err != nil {
			t.Fatal(err)
		}
		want := "【彭李街道便民服务中心】您的办件 " + c.Number + " 的" + result + "已送达彭李街道便民服务中心，请携带身份证件到彭李街道便民服务中心（滨州市滨城区渤海九路 515 号（彭李街道办事处一楼））领取。"
		if got := texts(c, "case.result_arrived"); len(got) != 1 || got[0] != want {
			t.Fatalf("on signing for the result: %q, want %q", got, want)
		}

		_, _, text = decide(cases.CreateInput{DeliveryCenter: zhanhuaCenter})
		if want := "请领取" + result + "，领取地点：沾化区政务服务中心（滨州市沾化区富源四路 188 号）。"; !strings.HasSuffix(text, want) {
			t.Fatalf("decision, collected where decided: %q, want …%q", text, want)
		}
		_, _, text = decide(cases.CreateInput{DeliveryCenter: "mail"})
		if want := "已办结，准予办理。" + result + "将邮寄送达。"; !strings.HasSuffix(text, want) {
			t.Fatalf("decision, by post: %q, want …%q", text, want)
		}
	})
}
