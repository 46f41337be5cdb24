package web_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"banhao/audit"
	"banhao/cases"
	"banhao/catalog"
	"banhao/demo"
	"banhao/identity"
)

// browserCode waits for the sign-in code the outbox holds for an account (the development log
// prints the same message).
func (h *harness) browserCode(t *testing.T, idNumber string) string {
	t.Helper()
	ap, err := h.people.ByIDNumber(context.Background(), idNumber)
	if err != nil {
		t.Fatal(err)
	}
	return h.lastCode(t, ap.ID)
}

func (h *harness) itemNamed(t *testing.T, name string) string {
	t.Helper()
	res, err := h.cat.Search(context.Background(), catalog.Query{Q: name})
	if err != nil || res.Total == 0 {
		t.Fatalf("no item %s: %v", name, err)
	}
	return res.Items[0].Code
}

// TestBrowserOnlineApplicationReusesLicence: a company that holds a business licence signs in
// with a one-time code, applies online for an item that needs the licence and is not asked to
// upload it; the clerk sees the licence attached to the case; the company's data-access list
// then shows the clerk's read with the case number.
func TestBrowserOnlineApplicationReusesLicence(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	item := h.itemNamed(t, "单位社会保险登记")

	err := chromedp.Do(ctx,
		chromedp.Navigate(h.ts.URL+"/items/"+url.PathEscape(item)),
		chromedp.Click(chromedp.CSS(`#apply-online`)), // not signed in: the sign-in page, then back
		chromedp.WaitVisible(chromedp.CSS(`#send-code`)),
		chromedp.SendKeys(chromedp.CSS(`#id_number`), demo.CompanyCode),
		chromedp.Click(chromedp.CSS(`#send-code`)),
		chromedp.WaitVisible(chromedp.CSS(`#code`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#code`), h.browserCode(t, demo.CompanyCode)),
		chromedp.Click(chromedp.CSS(`#sign-in`)),
		chromedp.WaitVisible(chromedp.CSS(`#apply`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	form, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]any](`(() => {
		const m = document.querySelector('#material-m1');
		const visibleFiles = Array.from(m.querySelectorAll('input[type=file]')).filter(i => i.offsetParent !== null).length;
		const box = m.querySelector('input.use-cert');
		return {applicant: document.querySelector('#applicant-name').textContent, reuse: m.textContent,
			checked: box ? box.checked : false, visibleFiles: visibleFiles,
			anyVisibleFile: Array.from(document.querySelectorAll('#apply input[type=file]')).filter(i => i.offsetParent !== null).length};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if form["applicant"] != demo.CompanyName || !strings.Contains(form["reuse"].(string), "营业执照") || form["checked"] != true {
		t.Fatalf("the form does not offer the licence: %v", form)
	}
	if form["visibleFiles"].(float64) != 0 || form["anyVisibleFile"].(float64) != 0 {
		t.Fatalf("the applicant is asked to upload: %v", form)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#submitted`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	number := strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], h.ts.URL+"/my/cases/")
	if !strings.HasPrefix(number, "371600-") {
		t.Fatalf("after submitting: %s", loc)
	}

	// The clerk opens the case: the licence is attached; opening it shows the certificate.
	err = chromedp.Do(ctx,
		chromedp.Navigate(h.ts.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
		chromedp.SendKeys(chromedp.CSS(`#username`), "clerk"),
		chromedp.SendKeys(chromedp.CSS(`#password`), demo.DemoPassword),
		chromedp.Click(chromedp.CSS(`#login`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/work"]`)),
		chromedp.Navigate(h.ts.URL+"/cases/"+number),
		chromedp.WaitVisible(chromedp.CSS(`#case-materials`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	materials, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#case-materials`)))
	if err != nil || !strings.Contains(materials, "营业执照") || !strings.Contains(materials, "免提交") {
		t.Fatalf("the clerk's case page shows materials %q (%v)", materials, err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a.cert-link`)),
		chromedp.WaitVisible(chromedp.CSS(`#certificate`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#certificate`)))
	if !strings.Contains(cert, demo.CompanyName) || !strings.Contains(cert, "YYZZ") {
		t.Fatalf("the certificate page shows %q", cert)
	}

	// The company's own page lists the clerk's reads with the case number.
	err = chromedp.Do(ctx,
		chromedp.Navigate(h.ts.URL+"/my"),
		chromedp.WaitVisible(chromedp.CSS(`#data-access`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#data-access tbody tr')).map(tr => tr.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	var certRead, dataRead bool
	for _, r := range rows {
		if strings.Contains(r, displayName(t, "clerk")) && strings.Contains(r, number) {
			certRead = certRead || strings.Contains(r, "营业执照")
			dataRead = dataRead || strings.Contains(r, "身份证件号码")
		}
	}
	if !certRead || !dataRead {
		t.Fatalf("data-access list %q lacks the clerk's reads for %s", rows, number)
	}
	if cs, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#my-cases`))); !strings.Contains(cs, number) {
		t.Errorf("my cases %q lack %s", cs, number)
	}
}

// TestBrowserKiosk: swipe the ID card (the reader types the number), enter the code on the
// keypad, see my cases, print a certificate (the PDF read back), and the idle timeout returns to
// the start screen and ends the session.
func TestBrowserKiosk(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	h.srv.KioskIdle = 4 * time.Second
	dir := t.TempDir()

	// The citizen has a case from the window.
	c, _, err := h.cases.Create(context.Background(), audit.Actor{Username: "clerk", Role: string(identity.Clerk)}, cases.CreateInput{
		Item: h.itemNamed(t, "个体工商户设立登记"), Channel: "window",
		Applicant: cases.Applicant{Type: "person", Name: demo.CitizenName, IDNumber: demo.CitizenID, Phone: demo.CitizenPhone}}, "")
	if err != nil {
		t.Fatal(err)
	}

	err = chromedp.Do(ctx,
		chromedp.EmulateViewport(1080, 1920), // the upright kiosk
		chromedp.Navigate(h.ts.URL+"/kiosk"),
		chromedp.WaitVisible(chromedp.CSS(`#id_number`)),
		chromedp.SendKeys(chromedp.CSS(`#id_number`), demo.CitizenID), // the card reader types into the focused field
		chromedp.Click(chromedp.CSS(`#kiosk-next`)),
		chromedp.WaitVisible(chromedp.CSS(`#code`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshotAt(t, ctx, 1080, 1920, "kiosk-code")
	var keys []chromedp.Action[chromedp.Void]
	for _, d := range h.browserCode(t, demo.CitizenID) {
		keys = append(keys, chromedp.Click(chromedp.CSS(`.keypad .key[data-key="`+string(d)+`"]`)))
	}
	keys = append(keys, chromedp.Click(chromedp.CSS(`#kiosk-sign-in`)), chromedp.WaitVisible(chromedp.CSS(`#kiosk-cases`)))
	if err := chromedp.Do(ctx, keys...); err != nil {
		t.Fatal(err)
	}
	screenshotAt(t, ctx, 1080, 1920, "kiosk-signed-in")
	checkKioskLayout(t, ctx, "signed-in home")
	casesText, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#kiosk-cases`)))
	if !strings.Contains(casesText, c.Number) {
		t.Fatalf("my cases at the kiosk: %q, want %s", casesText, c.Number)
	}
	// 打印 shows the certificate in the kiosk's print frame; the frame's PDF is inline, not kept.
	err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#kiosk-certificates a[data-type="执业药师注册证"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#kiosk-print-frame`)), chromedp.WaitVisible(chromedp.CSS(`#kiosk-print`)))
	if err != nil {
		t.Fatal(err)
	}
	screenshotAt(t, ctx, 1080, 1920, "kiosk-certificate-print")
	checkKioskLayout(t, ctx, "certificate print")
	text := pdfToText(t, framePDF(t, ctx, dir, "#kiosk-print-frame"))
	for _, want := range []string{"执业药师注册证", demo.CitizenName, identity.MaskID(demo.CitizenID), "1.2.156.3005.2.ZYYSZC."} {
		if !strings.Contains(text, want) {
			t.Errorf("the printed certificate lacks %q", want)
		}
	}
	if strings.Contains(text, demo.CitizenID) {
		t.Error("the printed certificate shows the full ID number")
	}

	// Fill a form by touch only: a section, an item, its guide's 在线申请; the form carries my
	// data; submit it.
	item := h.itemNamed(t, "个体工商户设立登记")
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#kiosk-home-link`)),
		chromedp.WaitVisible(chromedp.CSS(`#kiosk-cases`)),
		chromedp.Click(chromedp.CSS(`#kiosk-find-link`)),
		chromedp.Click(chromedp.CSS(`#kiosk-find a[href="/kiosk/sections"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#kiosk-sections`)),
		chromedp.Click(chromedp.CSS(`#kiosk-sections a[href="/kiosk/sections/S01"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#kiosk-items`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	turnPagesUntil(t, ctx, `#kiosk-items a[href="/kiosk/guide/`+item+`"]`)
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#kiosk-items a[href="/kiosk/guide/`+item+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#kiosk-apply[href="/kiosk/apply/`+item+`"]`)),
		chromedp.Click(chromedp.CSS(`#kiosk-apply`)),
		chromedp.WaitVisible(chromedp.CSS(`#applicant-id`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshotAt(t, ctx, 1080, 1920, "kiosk-apply")
	if who, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#applicant-id`))); who != demo.CitizenID {
		t.Fatalf("the kiosk form shows %q, want the card's ID", who)
	}
	// The form asks for every required upload; scans are put in (a kiosk has a scanner).
	required, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#apply input[type=file][required]')).map(i => i.id)`))
	if err != nil || len(required) == 0 {
		t.Fatalf("the kiosk form marks no upload required (%v)", err)
	}
	scan := filepath.Join(dir, "scan.pdf")
	if err := os.WriteFile(scan, []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var put []chromedp.Action[chromedp.Void]
	for _, id := range required {
		put = append(put, chromedp.SetUploadFiles(chromedp.CSS(`#`+id), []string{scan}))
	}
	put = append(put, chromedp.Click(chromedp.CSS(`#submit`)), chromedp.WaitVisible(chromedp.CSS(`#submitted`)))
	if err = chromedp.Do(ctx, put...); err != nil {
		t.Fatal(err)
	}
	if mine, _ := h.cases.OfApplicant(context.Background(), demo.CitizenID, 10); len(mine) != 2 || mine[0].Channel != "kiosk" {
		t.Fatalf("after submitting at the kiosk the citizen has %d cases (newest by %q)", len(mine), mine[0].Channel)
	}

	// No touch: back to the start screen, signed out.
	wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(wctx, chromedp.WaitVisible(chromedp.CSS(`#kiosk-next`))); err != nil {
		t.Fatalf("the idle timeout did not return to the start screen: %v", err)
	}
	err = chromedp.Do(ctx, chromedp.Navigate(h.ts.URL+"/kiosk/home"), chromedp.WaitVisible(chromedp.CSS(`#kiosk-next`)))
	if err != nil {
		t.Fatalf("the session outlived the idle timeout: %v", err)
	}
}
