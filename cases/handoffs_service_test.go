package cases_test

import (
	"context"
	"strings"
	"testing"

	"banhao/audit"
	"banhao/cases"
	"banhao/demo"
	"banhao/errs"
	"banhao/store"
	"banhao/store/storetest"
)

// TestSelfServiceResultsTravel: an online applicant who chooses to collect at 彭李街道 a result
// 沾化区 decides opens the result's hand-off 沾化区 → 彭李街道 (no materials: they are files); one
// who chooses nothing collects it where it is decided, and nothing travels; a kiosk's applicant
// at 彭李街道 collects there by default, so the result travels; what was chosen is kept. Every
// case's number carries the deciding region's code.
func TestSelfServiceResultsTravel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		svc := e.networked(t)
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
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		svc := e.networked(t)
		card := e.itemCode(t, "社会保障卡申领")
		apply := func() cases.Case {
			t.Helper()
			c, _, err := svc.Create(ctx, clerkPengli, cases.CreateInput{Item: card, Applicant: person, Materials: e.allMaterials(t, clerkPengli, card),
				DecidingRegion: zhanhua, Accept: &cases.Input{}}, "")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Act(ctx, rsjZhanhua, c.Number, cases.Decide, cases.Input{Decision: "approved"}); err != nil {
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
		_, err = svc.Act(ctx, clerkPengli, c.Number, cases.Deliver, cases.Input{Method: "window"})
		if e, ok := errs.As(err); !ok || e.Code != errs.CodeConflict || !strings.Contains(e.Message, "纸质结果尚未送达本中心") || !strings.Contains(e.Message, "待寄出") {
			t.Fatalf("handing out a result still at 沾化区: %v", err)
		}
		if _, err := svc.SendTransfers(ctx, clerkZhanhua, []int64{res.ID}, "B-9"); err != nil {
			t.Fatal(err)
		}
		_, err = svc.Act(ctx, clerkPengli, c.Number, cases.Deliver, cases.Input{Method: "mail", TrackingNumber: "SF1"})
		if e, ok := errs.As(err); !ok || !strings.Contains(e.Message, "已寄出") {
			t.Fatalf("posting a result on its way: %v", err)
		}
		if _, err := svc.ReceiveTransfer(ctx, clerkPengli, res.ID); err != nil {
			t.Fatal(err)
		}
		if waiting, err := svc.ResultsAwaited(ctx, []string{c.Number}); err != nil || len(waiting) != 0 {
			t.Fatalf("awaited after signing: %+v %v", waiting, err)
		}
		if d, err := svc.Act(ctx, clerkPengli, c.Number, cases.Deliver, cases.Input{Method: "window"}); err != nil || d.Status != cases.Delivered {
			t.Fatalf("delivery once signed for: %v", err)
		}
		c = apply() // electronic: no paper to wait for
		if d, err := svc.Act(ctx, clerkPengli, c.Number, cases.Deliver, cases.Input{Method: "electronic"}); err != nil || d.Status != cases.Delivered {
			t.Fatalf("electronic delivery: %v", err)
		}
	})
}
