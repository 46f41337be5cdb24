package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"banhao/identity"
	"banhao/pdfdoc"
	"banhao/web"
)

// TestBrowserApproverOpensMaterialAndDecides: the approver of the case's department opens a PDF
// material inside the case page — served sandboxed, as a PDF, never sniffed — and decides; the
// applicant's data-access list then shows the approver's read of that material; an approver of
// another department gets 403 for the same file.
func TestBrowserApproverOpensMaterialAndDecides(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	var buf bytes.Buffer
	if err := pdfdoc.WriteLetter(&buf, pdfdoc.Letter{Center: "测试", Title: "公司章程（扫描件）", Body: []string{"第一条 本公司名称为滨州市示例科技有限公司。"}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	clerk := h.sessions[identity.Clerk]
	file := h.uploadAs(t, &clerk, "章程.pdf", buf.String())
	scripted := h.uploadAs(t, &clerk, "evil.pdf", scriptPDF)
	number, item := h.windowCase(t, file, map[string]string{"m4": scripted})
	if resp := h.do(t, "POST", "/api/v1/cases/"+number+"/accept", web.API, &clerk, nil, ""); resp.StatusCode != 200 {
		t.Fatalf("accept: %d", resp.StatusCode)
	}
	fileURL := "/cases/" + number + "/files/" + file

	enableNetwork := func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{})
		return chromedp.Void{}, err
	}
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1920, 1080),
		signIn(h, "approver"),
		chromedp.Navigate(h.ts.URL+"/cases/"+number),
		chromedp.WaitVisible(chromedp.CSS(`a.material-view`)),
		enableNetwork,
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.ScrollIntoView(chromedp.CSS(`#case-materials`))); err != nil {
		t.Fatal(err)
	}
	screenshotAt(t, ctx, 390, 844, "case-materials-list-390")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1920, 1080)); err != nil {
		t.Fatal(err)
	}
	// Every document the viewer's frame finishes loading (its load event) is noted, so the test
	// waits for the document it opened instead of for a while.
	watchFrame := func() {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.loadedFrames = [];
			document.getElementById('viewer-frame').addEventListener('load', function (e) { window.loadedFrames.push(e.target.getAttribute('src')); }); 1`)); err != nil {
			t.Fatal(err)
		}
	}
	watchFrame()
	frameLoaded := func(url string) chromedp.Action[bool] {
		return chromedp.Poll[bool](`window.loadedFrames.some(function (s) { return s && s.endsWith(`+strconv.Quote(url)+`); })`,
			chromedp.WithPollingTimeout(15*time.Second))
	}
	ev, err := chromedp.Run(ctx, chromedp.WaitEvent(network.ResponseReceived,
		func(e network.EventResponseReceived) bool { return strings.HasSuffix(e.Response.URL, fileURL) },
		chromedp.Click(chromedp.CSS(`a.material-view[href="`+fileURL+`"]`))))
	if err != nil {
		t.Fatalf("opening the material: %v", err)
	}
	header := http.Header{}
	for k, v := range ev.Response.Headers {
		header.Set(k, fmt.Sprint(v))
	}
	if ev.Response.Status != 200 || ev.Response.MimeType != "application/pdf" || !strings.HasPrefix(header.Get("Content-Disposition"), "inline") {
		t.Fatalf("the material came as %d %s %q", ev.Response.Status, ev.Response.MimeType, header.Get("Content-Disposition"))
	}
	// Chromium hands a PDF to its own viewer and reports only frame-ancestors of the policy; the
	// whole of it is checked on the wire below.
	if header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(header.Get("Content-Security-Policy"), "frame-ancestors 'self'") {
		t.Errorf("the browser got the material with %q", header)
	}
	approver := h.sessions[identity.Approver]
	checkSandboxed(t, h.do(t, "GET", fileURL, web.Page, &approver, nil, "").Header)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#viewer-frame`))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, frameLoaded(fileURL)); err != nil {
		t.Fatalf("the viewer's frame never loaded the material: %v", err)
	}
	src, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('viewer-frame').getAttribute('src')`))
	title, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#viewer-title`)))
	if !strings.HasSuffix(src, fileURL) || !strings.Contains(title, "章程.pdf") {
		t.Fatalf("the viewer shows %q titled %q", src, title)
	}
	screenshotAt(t, ctx, 1920, 1080, "case-material-1920")
	axeCheck(t, ctx, "case page with a material open")

	// At phone width too.
	screenshotAt(t, ctx, 390, 844, "case-material-390")

	// The decision, made below the document.
	dctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	err = chromedp.Do(dctx,
		chromedp.SetValue(chromedp.CSS(`#decision`), "approved"),
		chromedp.Click(chromedp.CSS(`#do-decide`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#do-decide`)),
	)
	if err != nil {
		text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
		screenshotAt(t, ctx, 390, 844, "case-decide-failed")
		t.Fatalf("deciding: %v: %s", err, text)
	}
	if status, _ := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`#case-status`), "data-status")); status.Value != "decided" {
		t.Fatalf("after deciding the case is %q", status.Value)
	}

	// The "PDF" that carries script, opened the same way on the decided case, runs nothing: no
	// request, no title.
	var mu sync.Mutex
	var requested []string
	lctx, stop := context.WithCancel(ctx)
	defer stop()
	if err := chromedp.Listen(lctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			requested = append(requested, e.Request.URL)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	scriptURL := "/cases/" + number + "/files/" + scripted
	watchFrame() // the decision reloaded the page
	// The frame's load event comes after the document's own scripts would have run (and
	// requested what they fetch); the page's title is read after it.
	_, err = chromedp.Run(ctx, chromedp.WaitEvent(network.ResponseReceived,
		func(e network.EventResponseReceived) bool { return strings.HasSuffix(e.Response.URL, scriptURL) },
		chromedp.Click(chromedp.CSS(`a.material-view[href="`+scriptURL+`"]`))))
	if err == nil {
		_, err = chromedp.Run(ctx, frameLoaded(scriptURL))
	}
	if err != nil {
		t.Fatalf("opening the scripted material: %v", err)
	}
	stop()
	frameTitle, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(function () { try { return document.getElementById('viewer-frame').contentDocument.title || ''; } catch (e) { return ''; } })()`))
	pageTitle, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.title`))
	mu.Lock()
	if !slices.ContainsFunc(requested, func(u string) bool { return strings.HasSuffix(u, scriptURL) }) {
		t.Errorf("the scripted material was not opened: %v", requested)
	}
	for _, u := range requested {
		if strings.HasSuffix(u, "/api/v1/cases") {
			t.Errorf("the uploaded script ran: it fetched %s", u)
		}
	}
	mu.Unlock()
	if frameTitle == "pwned" || pageTitle == "pwned" {
		t.Error("the uploaded script ran: it set the title")
	}
	screenshotAt(t, ctx, 390, 844, "case-scripted-390")
	cctx, cancelClose := context.WithTimeout(ctx, 15*time.Second)
	defer cancelClose()
	if err := chromedp.Do(cctx, chromedp.Click(chromedp.CSS(`#viewer-close`)), chromedp.WaitNotVisible(chromedp.CSS(`#material-viewer`))); err != nil {
		t.Fatalf("closing the viewer: %v", err)
	}

	// The applicant sees the read: who, their department, the case, the material.
	me := h.citizenSession(t)
	_, page := h.citizenDo(t, me, "GET", "/my", nil)
	row := ""
	for _, tr := range strings.Split(page, "<tr>") {
		if strings.Contains(tr, "申请材料：") && strings.Contains(tr, number) {
			row = tr
		}
	}
	if !strings.Contains(row, displayName(t, "approver")) || !strings.Contains(row, item.Department.Name) {
		t.Fatalf("the applicant's data-access list lacks the approver's read of the material: %q", row)
	}

	// An approver of another department: 403 for the same file, and nothing on the list.
	other := h.staffSession(t, "approver_bdc")
	if resp := h.do(t, "GET", fileURL, web.Page, &other, nil, ""); resp.StatusCode != 403 {
		t.Fatalf("an approver of another department got %d, want 403", resp.StatusCode)
	}
	if _, page := h.citizenDo(t, me, "GET", "/my", nil); strings.Contains(page, displayName(t, "approver_bdc")) {
		t.Error("a refused read is on the applicant's list")
	}
}
