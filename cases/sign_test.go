package cases_test

import (
	"context"
	"strings"
	"testing"

	"banhao/cases"
	"banhao/demo"
	"banhao/jobs"
	"banhao/network"
	"banhao/notify"
	"banhao/store"
)

// TestTextsSignedByTheCenterTheApplicantDealsWith: a case accepted at 彭李街道 is texted
// 【彭李街道便民服务中心】 when accepted; its approval to be collected is signed by the 出件地 —
// 彭李街道 when collected there, 沾化区's center when the applicant chose it — and so is the
// text that the paper result has arrived; a case at the main center keeps the installation's
// name (BANHAO_CENTER_NAME).
func TestTextsSignedByTheCenterTheApplicantDealsWith(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		if err := network.Seed(ctx, db, demo.Regions(), demo.Centers(), e.clk.now()); err != nil {
			t.Fatal(err)
		}
		const installation = "滨州市政务服务中心（安装名）"
		svc := e.service(t, e.outbox(map[string]notify.Channel{"log": notify.LogChannel{Logger: quiet}}, jobs.Discard{}), jobs.Discard{}, installation)
		signed := func(number, event, want string) {
			t.Helper()
			got := textsOf(t, db, number, event)
			if len(got) != 1 || !strings.HasPrefix(got[0], "【"+want+"】") {
				t.Fatalf("%s %s: texts %q, want signed 【%s】", number, event, got, want)
			}
		}

		// collected where accepted: 彭李街道 signs both
		here := e.routedCase(t, svc, cases.CreateInput{})
		signed(here.Number, "case.accept", pengliCenter)
		if _, err := svc.Act(ctx, rsjZhanhua, here.Number, cases.DecisionInput{Decision: "approved"}); err != nil {
			t.Fatal(err)
		}
		signed(here.Number, "case.decide", pengliCenter)
		for _, tr := range mustGet(t, svc, here.Number).Transfers { // the paper result travels back and is signed for
			if tr.Kind != cases.TransferResult {
				continue
			}
			if _, err := svc.SendTransfers(ctx, clerkZhanhua, []int64{tr.ID}, "B-1"); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.ReceiveTransfer(ctx, clerkPengli, tr.ID); err != nil {
				t.Fatal(err)
			}
		}
		signed(here.Number, "case.result_arrived", pengliCenter)

		// accepted at 彭李街道, collected at 沾化区's center: each message its own place
		there := e.routedCase(t, svc, cases.CreateInput{DeliveryCenter: "ZWFW-371603"})
		if there.DeliveryCenter != "ZWFW-371603" {
			t.Fatalf("delivery: %s", there.DeliveryCenter)
		}
		signed(there.Number, "case.accept", pengliCenter)
		if _, err := svc.Act(ctx, rsjZhanhua, there.Number, cases.DecisionInput{Decision: "approved"}); err != nil {
			t.Fatal(err)
		}
		signed(there.Number, "case.decide", "沾化区政务服务中心")

		// the main center: the installation's name, as before the network
		code := e.itemCode(t, "社会保障卡申领")
		main, _, err := svc.Create(ctx, clerkMain, cases.CreateInput{Item: code, Applicant: person, Materials: e.allMaterials(t, clerkMain, code),
			DecidingRegion: zhanhua, Accept: &cases.AcceptInput{}}, "")
		if err != nil {
			t.Fatal(err)
		}
		signed(main.Number, "case.accept", installation)
	})
}

func mustGet(t *testing.T, svc *cases.Service, number string) cases.Case {
	t.Helper()
	c, err := svc.Get(context.Background(), clerkPengli, number)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
