package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"banhao/cases"
)

// TestBrowserSupervisionCharts: /supervise draws its two charts on a 390 px phone and a 1920 px
// screen without sideways scrolling, the axis text at least 10 px on the screen, the charts
// named for screen readers, 即办率 shown, and axe finds nothing. Cases of the last four weeks are written
// around the service, as in an installation from before the kept figures, and counted by the
// migration's backfill.
func TestBrowserSupervisionCharts(t *testing.T) {
	ctx := browserContext(t)
	db := demoSQLite(t)
	h := newHarness(t, db)
	today := h.srv.Now().In(shanghai)
	depts := []string{"XZSP", "BDC", "SBZX", "GAJ", "SCJG"}
	for i := range 120 {
		at := today.AddDate(0, 0, -i%28).Add(-time.Duration(i%5) * time.Hour)
		day, due := at.Format("2006-01-02"), at.AddDate(0, 0, 5).Format("2006-01-02")
		decided := at.AddDate(0, 0, 3+i%4).Format("2006-01-02") // 6: late
		if i < 20 && i%4 == 0 {
			decided = day // 即办: decided on the day of acceptance
		}
		if _, err := db.ExecContext(context.Background(), `INSERT INTO cases (number, item_code, item_version, item_name, department_code, region_code,
			status, channel, applicant_type, applicant_name, applicant_id_enc, applicant_id_idx, applicant_phone_enc, applicant_phone_idx, limit_value,
			limit_unit, accepted_on, due, decided_on, created_by, submitted_at, updated_at) VALUES (?, 'X', 1, '示例事项', ?, '371600000000', 'delivered',
			'window', 'person', 'x', 'x', 'x', 'x', 'x', 5, 'working_day', ?, ?, ?, 't', ?, ?)`,
			fmt.Sprintf("SV-%03d", i), depts[i%len(depts)], day, due, decided, at.UTC(), at.UTC()); err != nil {
			t.Fatal(err)
		}
		if i < 20 { // the first 20 are cases of a 即办 item: 5 decided the day they were accepted
			if _, err := db.ExecContext(context.Background(), `INSERT INTO immediate_cases (case_number, department_code, item_code, accepted_on) VALUES (?, ?, 'X', ?)`,
				fmt.Sprintf("SV-%03d", i), depts[i%len(depts)], day); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := cases.RebuildStats(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	path := "/supervise?from=" + today.AddDate(0, 0, -29).Format("2006-01-02") + "&to=" + today.Format("2006-01-02")
	if err := chromedp.Do(ctx, signIn(h, "supervisor")); err != nil {
		t.Fatal(err)
	}
	for _, size := range [][2]int64{{390, 844}, {1920, 1080}} {
		where := fmt.Sprintf("/supervise at %d px", size[0])
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(size[0], size[1]), chromedp.Navigate(h.ts.URL+path),
			chromedp.WaitVisible(chromedp.CSS(`#chart-days svg`)), chromedp.WaitVisible(chromedp.CSS(`#chart-rates svg`))); err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		axeCheck(t, ctx, where)
		type measure struct {
			Overflow bool
			Axis     float64 // px on the screen of the days chart's 15-unit axis text
			Label    float64 // px of the rates chart's 15-unit names
			Bars     int
			Rows     int
		}
		m, err := chromedp.Run(ctx, chromedp.Evaluate[measure](`(() => {
			const px = (sel, units) => { const s = document.querySelector(sel); return s.getBoundingClientRect().width / s.viewBox.baseVal.width * units; };
			return {Overflow: document.documentElement.scrollWidth > window.innerWidth,
				Axis: px('#chart-days svg', 15), Label: px('#chart-rates svg', 15),
				Bars: document.querySelectorAll('#chart-days rect.bar').length, Rows: document.querySelectorAll('#chart-rates rect.track').length};
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		if m.Overflow || m.Axis < 10 || m.Label < 10 || m.Bars != 30 || m.Rows != len(depts) {
			t.Errorf("%s: %+v, want no sideways scrolling, text of at least 10 px, 30 days and %d departments", where, m, len(depts))
		}
		if rate, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#immediate-rate-value`))); err != nil || rate != "25.0%" {
			t.Errorf("%s: 即办率 %q %v, want 25.0%%", where, rate, err)
		}
		if of, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#immediate-rate-of`))); err != nil || of != "当日办结 5 / 受理 20 件" {
			t.Errorf("%s: 即办率's count %q %v", where, of, err)
		}
		// Each headline figure is a big number (at least twice the body text) with its label
		// above, the number on one line, at 390 px as at 1920 px.
		type big struct {
			Body    float64
			Numbers []float64
			Lines   []bool
			Labels  []bool
		}
		b, err := chromedp.Run(ctx, chromedp.Evaluate[big](`(() => {
			const ids = ['#immediate-rate-value', '#rules-rate-value', '#postcheck-rate', '#payments-headline'];
			const els = ids.map(id => document.querySelector(id));
			return {Body: parseFloat(getComputedStyle(document.body).fontSize),
				Numbers: els.map(e => parseFloat(getComputedStyle(e).fontSize)),
				Lines: els.map(e => e.getClientRects().length === 1 && e.getBoundingClientRect().height < 2 * parseFloat(getComputedStyle(e).fontSize)),
				Labels: els.map(e => { const h = e.closest('section').querySelector('h2'); return h.getBoundingClientRect().bottom <= e.getBoundingClientRect().top + 1; })};
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		for i, n := range b.Numbers {
			if n < 2*b.Body || !b.Lines[i] || !b.Labels[i] {
				t.Errorf("%s: headline figure %d: %.0f px (body %.0f px), one line %v, label above %v", where, i, n, b.Body, b.Lines[i], b.Labels[i])
			}
		}
		// The headline figures come before the tables, and no row of zeros is printed (a phone
		// shows each row as a card): the departments without a case are summed up in one line.
		type order struct{ Head, Table, Zero int }
		o, err := chromedp.Run(ctx, chromedp.Evaluate[order](`(() => {
			const top = sel => Math.round(document.querySelector(sel).getBoundingClientRect().top);
			const zero = [...document.querySelectorAll('#case-stats tbody tr:not(.total)')].filter(tr => [...tr.querySelectorAll('td')].slice(0, 4).every(td => td.textContent.trim() === '0')).length;
			return {Head: top('#immediate-rate'), Table: top('#case-stats'), Zero: zero};
		})()`))
		if err != nil || o.Head >= o.Table || o.Zero != 0 {
			t.Errorf("%s: 即办率 at %d px, the table at %d px, %d rows of zeros (%v); want the figures first and no zeros", where, o.Head, o.Table, o.Zero, err)
		}
		if dir := os.Getenv("BANHAO_SCREENSHOTS"); dir != "" {
			buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100: PNG
			if err != nil {
				t.Fatal(err)
			}
			_ = os.WriteFile(filepath.Join(dir, fmt.Sprintf("supervise-%d.png", size[0])), buf, 0o644)
		}
	}
}
