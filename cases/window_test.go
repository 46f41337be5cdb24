package cases_test

import (
	"context"
	"strings"
	"testing"

	"banhao/audit"
	"banhao/cases"
	"banhao/errs"
	"banhao/files"
	"banhao/store"
)

// TestKeptUsable: a file a refused window form offers again goes with the next post only when
// the clerk posting uploaded it and it is still stored.
func TestKeptUsable(t *testing.T) {
	mine := files.File{ID: "f1", CreatedBy: "clerk"}
	for _, c := range []struct {
		name string
		by   audit.Actor
		f    files.File
		want bool
	}{
		{"the clerk's own upload", clerk, mine, true},
		{"another clerk's upload", audit.Actor{Username: "clerk2", Role: "clerk"}, mine, false},
		{"an applicant's upload", clerk, files.File{ID: "f2", CreatedBy: "applicant:5"}, false},
		{"an agent's upload named like the clerk", audit.Actor{Username: "applicant:5", Role: "clerk"}, files.File{ID: "f3", CreatedBy: "applicant:7→applicant:5"}, false},
		{"no longer stored", clerk, files.File{}, false},
		{"stored without an uploader", clerk, files.File{ID: "f4"}, false},
	} {
		if got := cases.KeptUsable(c.by, c.f); got != c.want {
			t.Errorf("%s: KeptUsable = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestIntakeAtWindow: the window's intake reports every problem of what was taken in at once —
// a file that is not a scan, another clerk's file and a file no longer stored offered as kept,
// a 容缺 date that is not a date — registering nothing and handing back the file it did take;
// posted again with that file kept, the rest chosen and the lease deferred, the case is
// registered and accepted in one step. 补交 then asks for a file before anything else and takes
// the lease.
func TestIntakeAtWindow(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		it, err := e.cat.Item(ctx, e.itemCode(t, "企业设立登记")) // m5 住所使用相关文件 deferrable, m6 shared
		if err != nil {
			t.Fatal(err)
		}
		theirs := e.uploadAs(t, audit.Actor{Username: "clerk2", Role: "clerk"})
		n := countCases(t, db)
		in := cases.WindowIntake{Item: it, Applicant: person, Answer: "accept", Token: "w1", Materials: []cases.WindowMaterial{
			{MaterialID: "m1", Upload: scan(), Original: true},
			{MaterialID: "m2", Upload: &cases.Upload{Name: "x.exe", Body: strings.NewReader("MZ not a scan")}},
			{MaterialID: "m3", Kept: theirs},
			{MaterialID: "m4", Kept: "no-such-file"},
			{MaterialID: "m5", Defer: true, Due: "明天"},
		}}
		res, err := e.svc.IntakeAtWindow(ctx, clerk, in)
		e2, ok := errs.As(err)
		if !ok || e2.Code != errs.CodeInvalid {
			t.Fatalf("problems of the files: %v", err)
		}
		got := map[string]string{}
		for _, f := range e2.Fields {
			got[f.Field] = f.Message
		}
		if len(got) != 4 || !strings.Contains(got["file_m2"], "PDF") || !strings.Contains(got["file_m3"], "已失效") ||
			!strings.Contains(got["file_m4"], "已失效") || !strings.Contains(got["due_m5"], "承诺补交日期") {
			t.Fatalf("the problems, all at once: %v", got)
		}
		if countCases(t, db) != n || len(res.Kept) != 1 || res.Kept["m1"].ID == "" || res.Kept["m1"].Name != "scan.png" {
			t.Fatalf("refused: %d cases registered, kept %+v", countCases(t, db)-n, res.Kept)
		}
		// Again: m1 kept, the rest chosen now, the lease promised for a working day ahead.
		in.Token, in.Materials = "w2", []cases.WindowMaterial{
			{MaterialID: "m1", Kept: res.Kept["m1"].ID, Original: true},
			{MaterialID: "m2", Upload: scan()}, {MaterialID: "m3", Upload: scan()}, {MaterialID: "m4", Upload: scan()},
			{MaterialID: "m5", Defer: true, Due: "2026-10-08"},
			{MaterialID: "m6", Upload: scan()}, // shared data: not taken in at the window
		}
		res, err = e.svc.IntakeAtWindow(ctx, clerk, in)
		if err != nil {
			t.Fatal(err)
		}
		c := res.Case
		if c.Status != cases.Accepted || len(c.Materials) != 4 || len(c.Deferred) != 1 || c.Deferred[0].MaterialID != "m5" || c.Channel != "window" {
			t.Fatalf("registered and accepted: %s, %d materials, deferred %+v", c.Status, len(c.Materials), c.Deferred)
		}
		// 补交: nothing chosen is asked for first; the lease is taken.
		if _, err := e.svc.SupplyAtWindow(ctx, clerk, c.Number, nil); !errs.Is(err, errs.CodeInvalid) || !strings.Contains(errText(err), "materials:请选择要补交的材料文件") {
			t.Fatalf("supply of nothing: %v", err)
		}
		res, err = e.svc.SupplyAtWindow(ctx, clerk, c.Number, []cases.WindowMaterial{{MaterialID: "m5", Upload: scan()}})
		if err != nil || len(res.Case.Materials) != 5 {
			t.Fatalf("supply of the lease: %d materials, %v", len(res.Case.Materials), err)
		}
	})
}
