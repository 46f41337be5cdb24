package cases_test

import (
	"context"
	"testing"
	"time"

	"banhao/audit"
	"banhao/calendar"
	"banhao/cases"
	"banhao/store"
)

// TestCountySupervisorsFiguresAreItsCounty: 即办率, 秒批率, the 承诺制 post-checks and the payments
// that 滨城区's supervisor reads count 滨城区's departments' cases only — a case of the city's
// department (accepted at the city center) is the city supervisor's, counted there.
func TestCountySupervisorsFiguresAreItsCounty(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, svc := networkedEnv(t, db)
		card := e.itemCode(t, "社会保障卡申领")
		mk := func(by audit.Actor) cases.Case {
			c, _, err := svc.Create(ctx, by, cases.CreateInput{Item: card, Applicant: person, Materials: e.allMaterials(t, by, card)}, "")
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		bincheng, city := mk(clerkPengli), mk(clerk)
		if bincheng.Department.Code != "RSJ-371602" || city.Department.Code == "RSJ-371602" {
			t.Fatalf("departments: %s %s", bincheng.Department.Code, city.Department.Code)
		}
		day := time.Date(2020, 1, 2, 3, 0, 0, 0, time.UTC)
		for _, c := range []cases.Case{bincheng, city} {
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{`INSERT INTO immediate_cases (case_number, department_code, item_code, accepted_on) VALUES (?, ?, ?, '2020-01-02')`, []any{c.Number, c.Department.Code, card}},
				{`INSERT INTO case_rule_results (case_number, item_code, item_version, department_code, outcome, passed, failed, evaluated_on, evaluated_at)
					VALUES (?, ?, 1, ?, 'approve', '[]', '[]', '2020-01-02', ?)`, []any{c.Number, card, c.Department.Code, day}},
				{`INSERT INTO post_checks (case_number, department_code, item_code, item_name, applicant_name, created_on, due, status, checked_on)
					VALUES (?, ?, ?, 'x', 'x', '2020-01-02', '2020-01-05', 'done', '2020-01-03')`, []any{c.Number, c.Department.Code, card}},
				{`INSERT INTO payment_instructions (case_number, kind, department_code, amount_fen, account_enc, account_last4, name_enc, status, created_at)
					VALUES (?, 'x', ?, 100, 'x', '0000', 'x', 'confirmed', ?)`, []any{c.Number, c.Department.Code, day}},
			} {
				if _, err := db.ExecContext(ctx, q.sql, q.args...); err != nil {
					t.Fatal(err)
				}
			}
		}
		from, _ := calendar.ParseDate("2020-01-01")
		to, _ := calendar.ParseDate("2020-01-31")
		for _, tc := range []struct {
			who  audit.Actor
			want int
		}{
			{audit.Actor{Username: "supervisor_bincheng", Role: "supervisor", Center: "ZWFW-371602"}, 1},
			{audit.Actor{Username: "supervisor", Role: "supervisor"}, 2},
		} {
			im, err1 := svc.ImmediateStatsFor(ctx, tc.who, from, to)
			ru, err2 := svc.RulesStatsFor(ctx, tc.who, from, to)
			due, _, err3 := svc.PostCheckFiguresFor(ctx, tc.who, from, to)
			pay, err4 := svc.PaymentsFor(ctx, tc.who, from, to)
			if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
				t.Fatal(err1, err2, err3, err4)
			}
			if im.Accepted != tc.want || ru.Evaluated != tc.want || due != tc.want || pay.Ordered != tc.want {
				t.Errorf("%s: 即办 %d 秒批 %d 核查 %d 支付 %d, want %d each", tc.who.Username, im.Accepted, ru.Evaluated, due, pay.Ordered, tc.want)
			}
		}
	})
}
