package cases_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"banhao/audit"
	"banhao/cases"
	"banhao/catalog"
	"banhao/demo"
	"banhao/errs"
	"banhao/store"
)

// TestPaperHandOffs: a 全市通办 case accepted at 彭李街道 for 沾化区 opens, in its own transaction, a
// hand-off of its materials to 沾化区's center and one of its result back; the originals signed
// off at intake are on the case; only 彭李街道's clerk sends the materials (with a batch), only
// 沾化区's signs for them; the result leaves only once decided; each step is on the timeline;
// each clerk lists only their own center's hand-offs.
func TestPaperHandOffs(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		svc := e.networked(t)
		it := e.withOriginals(t, e.itemCode(t, "社会保障卡申领"))
		orig := cases.NeedsOriginals(it)
		if len(orig) == 0 {
			t.Fatal("the item asks for no originals")
		}
		c := e.routedCase(t, svc, cases.CreateInput{OriginalsChecked: orig[:1]})
		if len(c.Originals) != 1 || c.Originals[0].MaterialID != orig[0] || c.Originals[0].Center != demo.PengliCenter ||
			c.Originals[0].CenterName != pengliCenter || c.Originals[0].CheckedBy != "clerk_pengli" {
			t.Fatalf("originals: %+v", c.Originals)
		}
		if len(c.Transfers) != 2 {
			t.Fatalf("transfers: %+v", c.Transfers)
		}
		mat, res := c.Transfers[0], c.Transfers[1]
		if mat.Kind != cases.TransferMaterials || mat.From != demo.PengliCenter || mat.To != "ZWFW-371603" || mat.Status != cases.TransferPending || !mat.Ready ||
			res.Kind != cases.TransferResult || res.From != "ZWFW-371603" || res.To != demo.PengliCenter || res.Ready {
			t.Fatalf("hand-offs: %+v %+v", mat, res)
		}
		// each clerk sees their own center's only
		if _, err := svc.Transfers(ctx, clerkZhanhua, cases.TransferQuery{Center: demo.PengliCenter}); !errs.Is(err, errs.CodeForbidden) {
			t.Fatalf("沾化区's clerk listing 彭李街道's: %v", err)
		}
		if list, err := svc.Transfers(ctx, clerkPengli, cases.TransferQuery{Status: cases.TransferPending}); err != nil || len(list) != 2 {
			t.Fatalf("彭李街道's pending: %d %v", len(list), err)
		}
		if list, err := svc.Transfers(ctx, audit.Actor{Username: "clerk_shizhong", Role: "clerk", Center: demo.ShizhongCenter}, cases.TransferQuery{}); err != nil || len(list) != 0 {
			t.Fatalf("市中街道 sees %d of others' hand-offs (%v)", len(list), err)
		}
		// who sends, who signs
		if _, err := svc.SendTransfers(ctx, clerkZhanhua, []int64{mat.ID}, "B-1"); !errs.Is(err, errs.CodeForbidden) || !strings.Contains(err.Error(), fmt.Sprintf("send transfers [%d]", mat.ID)) {
			t.Fatalf("沾化区 sending 彭李街道's materials: %v (a 403 that says where it came from)", err)
		}
		if _, err := svc.ReceiveTransfer(ctx, clerkZhanhua, mat.ID); !errs.Is(err, errs.CodeConflict) {
			t.Fatalf("signing for materials not sent: %v", err)
		}
		if _, err := svc.SendTransfers(ctx, clerkPengli, []int64{mat.ID}, " "); !errs.Is(err, errs.CodeInvalid) {
			t.Fatalf("sending without a batch: %v", err)
		}
		if _, err := svc.SendTransfers(ctx, clerkPengli, []int64{mat.ID, res.ID}, "B-1"); !errs.Is(err, errs.CodeForbidden) {
			t.Fatalf("a batch with another center's hand-off: %v", err)
		}
		sent, err := svc.SendTransfers(ctx, clerkPengli, []int64{mat.ID}, "滨州同城 SF1234")
		if err != nil || sent[0].Status != cases.TransferSent || sent[0].Batch != "滨州同城 SF1234" {
			t.Fatalf("send: %+v %v", sent, err)
		}
		if _, err := svc.SendTransfers(ctx, clerkPengli, []int64{mat.ID}, "again"); !errs.Is(err, errs.CodeConflict) {
			t.Fatalf("sending twice: %v", err)
		}
		if _, err := svc.CheckOriginals(ctx, clerkPengli, c.Number, orig); !errs.Is(err, errs.CodeConflict) {
			t.Fatalf("checking originals already sent: %v", err)
		}
		if _, err := svc.ReceiveTransfer(ctx, clerkPengli, mat.ID); !errs.Is(err, errs.CodeForbidden) {
			t.Fatalf("the sender signing for it: %v", err)
		}
		got, err := svc.ReceiveTransfer(ctx, clerkZhanhua, mat.ID)
		if err != nil || got.Status != cases.TransferReceived || got.ReceivedBy != "clerk_zhanhua" {
			t.Fatalf("receive: %+v %v", got, err)
		}
		// the result leaves once decided
		if _, err := svc.SendTransfers(ctx, clerkZhanhua, []int64{res.ID}, "B-2"); !errs.Is(err, errs.CodeConflict) {
			t.Fatalf("sending an undecided case's result: %v", err)
		}
		if _, err := svc.Act(ctx, rsjZhanhua, c.Number, cases.DecisionInput{Decision: "approved"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SendTransfers(ctx, clerkZhanhua, []int64{res.ID}, "B-2"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ReceiveTransfer(ctx, clerkPengli, res.ID); err != nil {
			t.Fatal(err)
		}
		d, err := svc.Get(ctx, clerkPengli, c.Number)
		if err != nil {
			t.Fatal(err)
		}
		var steps []string
		for _, ev := range d.Timeline {
			if strings.HasPrefix(ev.Action, "transfer_") || ev.Action == "originals_check" {
				steps = append(steps, ev.Action+" "+ev.Text)
			}
		}
		want := []string{
			"originals_check 收件核验：原件已核验（" + d.Originals[0].Name + "）",
			"transfer_send 申请材料已由彭李街道便民服务中心寄往沾化区政务服务中心（批次/单号：滨州同城 SF1234）",
			"transfer_receive 申请材料已由沾化区政务服务中心签收（寄自彭李街道便民服务中心）",
			"transfer_send 办理结果已由沾化区政务服务中心寄往彭李街道便民服务中心（批次/单号：B-2）",
			"transfer_receive 办理结果已由彭李街道便民服务中心签收（寄自沾化区政务服务中心）",
		}
		if !slices.Equal(steps, want) {
			t.Fatalf("timeline:\n%s\nwant\n%s", strings.Join(steps, "\n"), strings.Join(want, "\n"))
		}
		if tr, err := svc.TrackPublic(ctx, c.Number, person.Phone[len(person.Phone)-4:], "192.0.2.1"); err != nil || len(tr.Transfers) != 0 || len(tr.Originals) != 0 {
			t.Fatalf("the public tracking page shows the centers' paper work: %+v %v", tr.Transfers, err)
		}
	})
}

// TestOriginalsAfterIntake: the accepting clerk signs off originals on the case page while the
// paper is there; another center's clerk cannot; a refused application opens no hand-off.
func TestOriginalsAfterIntake(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		svc := e.networked(t)
		it := e.withOriginals(t, e.itemCode(t, "社会保障卡申领"))
		c := e.routedCase(t, svc, cases.CreateInput{})
		orig := cases.NeedsOriginals(it)
		if len(c.Originals) != 0 {
			t.Fatalf("originals without a check: %+v", c.Originals)
		}
		if _, err := svc.CheckOriginals(ctx, clerkZhanhua, c.Number, orig); !errs.Is(err, errs.CodeForbidden) {
			t.Fatalf("沾化区's clerk checking 彭李街道's originals: %v", err)
		}
		if _, err := svc.CheckOriginals(ctx, clerkPengli, c.Number, []string{"nope"}); !errs.Is(err, errs.CodeInvalid) {
			t.Fatalf("an unknown material: %v", err)
		}
		d, err := svc.CheckOriginals(ctx, clerkPengli, c.Number, orig)
		if err != nil || len(d.Originals) != len(orig) {
			t.Fatalf("check: %+v %v", d.Originals, err)
		}
		if r := e.routedCase(t, svc, cases.CreateInput{Reject: &cases.RejectInput{Reason: "不符合条件", Basis: "《条例》"}}); len(r.Transfers) != 0 {
			t.Fatalf("a refused application's hand-offs: %+v", r.Transfers)
		}
	})
}

// TestCenterTransfersPage: which center's hand-offs a viewer's page shows — a clerk's own (a
// clerk of no center: the main center's), another center refused; an admin or supervisor the
// main center's unless they pick one, with every center to pick from; names from the network.
func TestCenterTransfersPage(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, svc, c := routedEnv(t, db)
		admin := audit.Actor{Username: "admin", Role: "admin"}
		supervisor := audit.Actor{Username: "supervisor", Role: "supervisor"}
		for _, tc := range []struct {
			name         string
			by           audit.Actor
			ask, center  string
			pick, toSend int
			toReceive    int
		}{
			{"彭李街道's clerk", clerkPengli, "", demo.PengliCenter, 0, 1, 0},
			{"沾化区's clerk", clerkZhanhua, zhanhuaCenter, zhanhuaCenter, 0, 0, 0}, // the materials are not sent yet
			{"a clerk of no center", clerkMain, "", demo.CenterCode, 0, 0, 0},
			{"an admin", admin, "", demo.CenterCode, len(demo.Centers()), 0, 0},
			{"a supervisor picking 彭李街道", supervisor, demo.PengliCenter, demo.PengliCenter, len(demo.Centers()), 1, 0},
		} {
			v, err := svc.CenterTransfersOf(ctx, tc.by, tc.ask)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if v.Center.Code != tc.center || v.Center.Name == tc.center || len(v.Centers) != tc.pick || len(v.ToSend) != tc.toSend || len(v.ToReceive) != tc.toReceive {
				t.Fatalf("%s: center %+v, %d to pick, %d to send, %d to receive", tc.name, v.Center, len(v.Centers), len(v.ToSend), len(v.ToReceive))
			}
		}
		v, _ := svc.CenterTransfersOf(ctx, clerkPengli, "")
		if got := v.ToSend[0]; got.Case != c.Number || got.FromName != pengliCenter || got.ToName != "沾化区政务服务中心" {
			t.Fatalf("the hand-off: %+v", got)
		}
		if _, err := svc.CenterTransfersOf(ctx, clerkPengli, zhanhuaCenter); !errs.Is(err, errs.CodeForbidden) {
			t.Fatalf("a clerk asking for another center's page: %v", err)
		}
		if _, err := svc.CenterTransfersOf(ctx, audit.Actor{Username: "a", Role: "approver", Department: "RSJ"}, ""); !errs.Is(err, errs.CodeForbidden) {
			t.Fatalf("an approver: %v", err)
		}
	})
}

// withOriginals publishes a version of item code whose first material is brought on paper with
// its original (the demo's 社会保障卡申领 needs no visit: everything is submitted electronically).
func (e *env) withOriginals(t *testing.T, code string) catalog.Item {
	t.Helper()
	ctx := context.Background()
	it, err := e.cat.LatestItem(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	it.Materials[0].Form, it.Materials[0].Originals = "paper", 1
	if it, err = e.cat.PutItem(ctx, audit.System, it, catalog.StatusPublished); err != nil {
		t.Fatal(err)
	}
	return it
}
