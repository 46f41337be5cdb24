package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"banhao/demo"
	"banhao/identity"
	"banhao/queue"
	"banhao/store"
	"banhao/web"
)

type ticketJSON struct {
	ID, Number, Service, Status, Counter string
	Ahead                                int
	Estimated                            int `json:"estimated_wait_minutes"`
	Phone                                string
}

// TestQueueAPI walks API.md's queue: services, counters and halls; a ticket from the kiosk;
// a counter calls it (the hall's event stream shows the call); 204 when nobody waits; finish;
// a rating; statistics as JSON and Excel.
func TestQueueAPI(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		clerk, hotline, manager := h.sessions[identity.Clerk], h.sessions[identity.Hotline], h.sessions[identity.HallManager]
		json200 := func(method, path string, sess *identity.Session, body string, want int) *http.Response {
			t.Helper()
			var r io.Reader
			ctype := ""
			if body != "" {
				r, ctype = strings.NewReader(body), "application/json"
			}
			resp := h.do(t, method, path, web.API, sess, r, ctype)
			if resp.StatusCode != want {
				b, _ := io.ReadAll(resp.Body)
				t.Fatalf("%s %s: %d %s, want %d", method, path, resp.StatusCode, b, want)
			}
			return resp
		}
		svcs := decode[struct {
			Services []struct{ Code, Name, Prefix string }
		}](t, json200("GET", "/api/v1/services?hall="+demo.HallID, nil, "", 200))
		if len(svcs.Services) != 10 || svcs.Services[0].Prefix != "A" || svcs.Services[0].Name == "" {
			t.Fatalf("services: %+v", svcs)
		}
		ctrs := decode[struct {
			Counters []struct {
				ID, Name string
				Services []string
			}
		}](t, json200("GET", "/api/v1/counters?hall="+demo.HallID, nil, "", 200))
		if len(ctrs.Counters) != 16 || ctrs.Counters[0].ID != "1" || len(ctrs.Counters[0].Services) == 0 {
			t.Fatalf("counters: %+v", ctrs)
		}
		halls := decode[struct{ Halls []struct{ ID, Name string } }](t, json200("GET", "/api/v1/halls", nil, "", 200))
		if len(halls.Halls) != 3 || halls.Halls[0].ID != demo.HallID { // the city's, then the two township centers'
			t.Fatalf("halls: %+v", halls)
		}
		if all := decode[struct{ Services []struct{ Code string } }](t, json200("GET", "/api/v1/services", nil, "", 200)); len(all.Services) != 12 {
			t.Fatalf("services of every hall: %+v", all)
		}

		// The hall board listens before the call.
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", h.ts.URL+"/api/v1/halls/"+demo.HallID+"/events", nil)
		stream, err := http.DefaultClient.Do(req)
		if err != nil || stream.StatusCode != 200 || !strings.HasPrefix(stream.Header.Get("Content-Type"), "text/event-stream") {
			t.Fatalf("events: %v %v", err, stream)
		}
		defer stream.Body.Close()
		lines := make(chan string, 100)
		go func() {
			sc := bufio.NewScanner(stream.Body)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()

		tk := decode[ticketJSON](t, json200("POST", "/api/v1/tickets", nil, `{"service":"Q-S05","phone":"13900001234"}`, 201))
		if tk.Number != "E001" || tk.Ahead != 0 || tk.ID == "" || tk.Phone != "139****1234" {
			t.Fatalf("ticket: %+v", tk)
		}
		// A retried request (same Idempotency-Key) gets the same ticket, 200 instead of 201.
		keyed := func(want int) ticketJSON {
			req, _ := http.NewRequest("POST", h.ts.URL+"/api/v1/tickets", strings.NewReader(`{"service":"Q-S06"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", "kiosk-1-42")
			resp, err := http.DefaultClient.Do(req)
			if err != nil || resp.StatusCode != want {
				t.Fatalf("keyed ticket: %v %v, want %d", err, resp.Status, want)
			}
			defer resp.Body.Close()
			return decode[ticketJSON](t, resp)
		}
		if a, b := keyed(201), keyed(200); a.ID != b.ID || a.Number != "F001" {
			t.Errorf("retry gave %s then %s", a.Number, b.Number)
		}
		json200("POST", "/api/v1/tickets", nil, `{"service":"Q-S05","priority":"green"}`, 403)
		json200("POST", "/api/v1/tickets", nil, `{"service":"Q-S05","phone":"123"}`, 400)
		json200("POST", "/api/v1/tickets", nil, `{"service":"Q-NOPE"}`, 400)
		json200("POST", "/api/v1/counters/9/call", &hotline, "", 403)
		json200("POST", "/api/v1/counters/9/call", nil, "", 401)
		called := decode[ticketJSON](t, json200("POST", "/api/v1/counters/9/call", &clerk, "", 200))
		if called.ID != tk.ID || called.Status != "called" || called.Counter != "9" {
			t.Fatalf("call: %+v", called)
		}
		// The call reaches the stream as event "call" with the number and the counter.
		deadline := time.After(5 * time.Second)
		var event string
	wait:
		for {
			select {
			case l := <-lines:
				if l == "event: call" {
					event = <-lines
					break wait
				}
			case <-deadline:
				t.Fatal("no call event on the stream")
			}
		}
		var ev struct{ Number, Counter string }
		if err := json.Unmarshal([]byte(strings.TrimPrefix(event, "data: ")), &ev); err != nil || ev.Number != "E001" || ev.Counter != "9" {
			t.Fatalf("call event %q: %v", event, err)
		}
		json200("POST", "/api/v1/counters/9/call", &clerk, "", 204)
		b, _ := io.ReadAll(json200("GET", "/api/v1/tickets/"+tk.ID, nil, "", 200).Body)
		var got ticketJSON
		if err := json.Unmarshal(b, &got); err != nil || got.Status != "called" || got.Counter != "9" {
			t.Errorf("ticket after the call: %+v %v", got, err)
		}
		if strings.Contains(string(b), `"phone":`) || strings.Contains(string(b), "id_number") {
			t.Errorf("the public ticket API (its id is on the hall board) gives personal data: %s", b)
		}
		json200("POST", "/api/v1/ratings", nil, `{"ticket":"`+tk.ID+`","level":5}`, 403) // no grant: only the counter's pad rates
		if _, page, _ := call(t, nil, "GET", h.ts.URL+"/tickets/"+tk.ID, "", nil); !strings.Contains(page, "请到") {
			t.Error("a called ticket's page does not say where to go")
		}
		json200("POST", "/api/v1/counters/9/finish", &clerk, "", 200)
		if _, page, _ := call(t, nil, "GET", h.ts.URL+"/tickets/"+tk.ID, "", nil); strings.Contains(page, "请到") || strings.Contains(page, "到号前会提醒您") {
			t.Error("a finished ticket's page still sends the citizen to the counter, or promises a reminder")
		}
		json200("POST", "/api/v1/counters/9/finish", &clerk, "", 409)
		json200("POST", "/api/v1/counters/9/dance", &clerk, "", 404)
		// The counter's registered pad holds the one-time grant for the visit.
		padKey := h.enrollDevice(t, `{"kind":"pad","counter":"9","name":"9号窗口评价器"}`)
		_, page, _ := call(t, nil, "GET", h.ts.URL+"/counter/9/rate", "", map[string]string{"Cookie": "banhao_device=" + padKey})
		grant := grantRe.FindStringSubmatch(page)
		if grant == nil || grant[1] != tk.ID {
			t.Fatalf("the pad has no grant for %s", tk.ID)
		}
		json200("POST", "/api/v1/ratings", nil, `{"ticket":"`+tk.ID+`","level":6,"token":"`+grant[2]+`"}`, 400)
		json200("POST", "/api/v1/ratings", nil, `{"ticket":"`+tk.ID+`","level":5,"comment":"很快","token":"`+grant[2]+`"}`, 201)
		json200("POST", "/api/v1/ratings", nil, `{"ticket":"`+tk.ID+`","level":1,"token":"`+grant[2]+`"}`, 403)
		json200("GET", "/api/v1/tickets/nope", nil, "", 404)

		// The manager changes a service; bad settings name their fields.
		json200("PUT", "/api/v1/services/Q-S05", &clerk, `{"name":"x"}`, 403)
		bad := decode[struct{ Errors []struct{ Field string } }](t, json200("PUT", "/api/v1/services/Q-S05", &manager,
			`{"name":"公安服务","prefix":"e","hall":"main","range_from":1,"range_to":999,"opens":"25:00","closes":"17:00","daily_limit":100,"service_minutes":8}`, 400))
		if len(bad.Errors) != 2 {
			t.Errorf("bad service fields: %+v", bad)
		}
		json200("PUT", "/api/v1/services/Q-S05", &manager,
			`{"name":"公安服务","prefix":"E","hall":"main","range_from":1,"range_to":999,"opens":"00:00","closes":"24:00","daily_limit":100,"service_minutes":8}`, 200)
		json200("PUT", "/api/v1/counters/9", &manager, `{"name":"9号窗口","hall":"main","services":["Q-S05","Q-S06"]}`, 200)
		desk := decode[struct {
			Counter struct{ Services []string }
		}](t, json200("GET", "/api/v1/counters/9", &clerk, "", 200))
		if len(desk.Counter.Services) != 2 {
			t.Errorf("counter 9 after the change: %+v", desk)
		}

		// A second hall set up through the API with only what differs from the defaults.
		hall := decode[struct {
			ID          string
			RemindAhead int `json:"remind_ahead"`
		}](t, json200("PUT", "/api/v1/halls/east", &manager, `{"name":"东区分厅"}`, 200))
		if hall.ID != "east" || hall.RemindAhead != 3 {
			t.Errorf("new hall: %+v", hall)
		}
		line := decode[struct{ Code, Opens string }](t, json200("PUT", "/api/v1/services/Q-X1", &manager, `{"name":"新业务","prefix":"X","hall":"east"}`, 200))
		if line.Code != "Q-X1" || line.Opens != "08:30" {
			t.Errorf("new line: %+v", line)
		}
		json200("PUT", "/api/v1/counters/30", &manager, `{"name":"东区1号窗口","hall":"east","services":["Q-X1"]}`, 200)
		json200("PUT", "/api/v1/counters/31", &manager, `{"name":"东区2号窗口","hall":"east","services":["Q-S01"]}`, 400) // a line of another hall
		renamed := decode[struct {
			Name     string
			Services []string
		}](t, json200("PUT", "/api/v1/counters/9", &manager, `{"name":"九号窗口"}`, 200))
		if renamed.Name != "九号窗口" || len(renamed.Services) != 2 {
			t.Errorf("renaming kept the profile? %+v", renamed)
		}

		// Statistics: JSON for the manager, Excel read back.
		today := h.today()
		stats := decode[struct {
			Rows []struct {
				Key               string
				Arrivals, Served  int
				AvgServiceMinutes float64 `json:"avg_service_minutes"`
			}
		}](t, json200("GET", "/api/v1/queue/stats?hall=main&from="+today+"&to="+today, &manager, "", 200))
		if len(stats.Rows) != 2 || stats.Rows[0].Key != "Q-S05" || stats.Rows[0].Arrivals != 1 || stats.Rows[0].Served != 1 || stats.Rows[1].Served != 0 {
			t.Errorf("stats: %+v", stats)
		}
		json200("GET", "/api/v1/queue/stats", &clerk, "", 403)
		resp := json200("GET", "/api/v1/queue/stats?hall=main&format=xlsx&by=counter&from="+today+"&to="+today, &manager, "", 200)
		wb, err := excelize.OpenReader(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := wb.GetRows("排队统计")
		if len(rows) != 2 || rows[0][1] != "窗口" || rows[1][1] != "九号窗口" || rows[1][4] != "1" {
			t.Errorf("excel rows: %v", rows)
		}
	})
}

// TestAppointmentAPI books, lists what is left, and refuses a full slot and bad input.
func TestAppointmentAPI(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	const date = "2026-11-27" // the harness's clock is on Thursday 2026-11-26: the next working day

	post := func(body string) *http.Response {
		return h.do(t, "POST", "/api/v1/appointments", web.API, nil, strings.NewReader(body), "application/json")
	}
	resp := h.do(t, "GET", "/api/v1/services/Q-S03/slots?date="+date, web.API, nil, nil, "")
	slots := decode[struct {
		Slots []struct {
			Start     string
			Available int
		}
	}](t, resp)
	if len(slots.Slots) == 0 || slots.Slots[0].Start != "09:00" || slots.Slots[0].Available != 4 {
		t.Fatalf("slots: %+v", slots)
	}
	var first string
	for i := range 4 {
		resp := post(`{"service":"Q-S03","date":"` + date + `","slot":"09:00","name":"王五","phone":"1360000000` + strconv.Itoa(i) + `"}`)
		if resp.StatusCode != 201 {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("book %d: %d %s", i, resp.StatusCode, b)
		}
		a := decode[struct{ ID, Code, Status, Phone, Name string }](t, resp)
		if a.Status != "booked" || a.Phone != "136****000"+strconv.Itoa(i) || a.Name == "王五" {
			t.Errorf("appointment shows %+v (phone and name masked)", a)
		}
		if want := "C1127-0" + strconv.Itoa(i+1); a.Code != want || a.ID == "" {
			t.Errorf("appointment code %q (id %q), want %s beside the id", a.Code, a.ID, want)
		}
		if i == 0 {
			first = a.ID
		}
	}
	// The citizen's page shows the code to read out at the desk, not the 20-character id.
	page := h.do(t, "GET", "/appointments/"+first, web.Page, nil, nil, "")
	b, _ := io.ReadAll(page.Body)
	if text := visible(string(b)); !strings.Contains(text, "预约号 C"+"1127"+"-01") || strings.Contains(text, first) {
		t.Errorf("the appointment page reads %q: want 预约号 C%s-01 and not the id %s", text, "1127", first)
	}
	if resp := post(`{"service":"Q-S03","date":"` + date + `","slot":"09:00","name":"赵六","phone":"13600009999"}`); resp.StatusCode != 409 {
		t.Errorf("full slot: %d", resp.StatusCode)
	}
	if resp := post(`{"service":"Q-S03","date":"` + date + `","slot":"09:00","name":"","phone":"1"}`); resp.StatusCode != 400 {
		t.Errorf("bad input: %d", resp.StatusCode)
	}
	if resp := h.do(t, "POST", "/api/v1/appointments/"+first+"/cancel", web.API, nil, nil, ""); resp.StatusCode != 200 {
		t.Errorf("cancel: %d", resp.StatusCode)
	}
	if resp := h.do(t, "POST", "/api/v1/appointments/"+first+"/checkin", web.API, nil, nil, ""); resp.StatusCode != 409 {
		t.Errorf("check-in of a cancelled appointment: %d", resp.StatusCode)
	}
}

// TestHallPages: a citizen takes a ticket on the kiosk page and lands on the ticket page; the
// clerk calls it from the counter desk; the manager saves a counter's profile.
func TestHallPages(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	form := url.Values{"service": {"Q-S01"}, "phone": {"13700001111"}, "source": {"kiosk"}}
	resp := h.do(t, "POST", "/hall/main/take", web.Page, nil, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 303 || !strings.HasPrefix(loc, "/tickets/") {
		t.Fatalf("take: %d %q", resp.StatusCode, loc)
	}
	page := h.do(t, "GET", loc, web.Page, nil, nil, "")
	b, _ := io.ReadAll(page.Body)
	if !strings.Contains(string(b), "A001") || !strings.Contains(string(b), queue.AheadText(0)) {
		t.Errorf("ticket page lacks the number or the position")
	}
	// Bad phone: the kiosk page again, with the error.
	form.Set("phone", "12")
	resp = h.do(t, "POST", "/hall/main/take", web.Page, nil, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	b, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || !strings.Contains(string(b), "手机号") {
		t.Errorf("bad phone: %d", resp.StatusCode)
	}
	clerk := h.sessions[identity.Clerk]
	resp = h.do(t, "POST", "/counter/1/call", web.Page, &clerk, nil, "")
	if resp.StatusCode != 303 || !strings.Contains(resp.Header.Get("Location"), url.QueryEscape("A001")) {
		t.Errorf("desk call: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	desk := h.do(t, "GET", "/counter/1", web.Page, &clerk, nil, "")
	b, _ = io.ReadAll(desk.Body)
	if !strings.Contains(string(b), `id="current">A001`) || !strings.Contains(string(b), "137****1111") {
		t.Errorf("desk does not show the current ticket")
	}
	manager := h.sessions[identity.HallManager]
	form = url.Values{"csrf": {manager.CSRF}, "what": {"counter"}, "id": {"17"}, "hall": {"main"}, "name": {"17号窗口"}, "rule": {"weighted"}, "profile": {"Q-S01:2, Q-S02"}}
	resp = h.do(t, "POST", "/hall/manage", web.Page, &manager, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	if resp.StatusCode != 303 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("save counter: %d %s", resp.StatusCode, b)
	}
	c, err := h.queue.CounterByID(context.Background(), "17")
	if err != nil || c.Rule != "weighted" || len(c.Profile) != 2 || c.Profile[0].Weight != 2 || c.Profile[1].Service != "Q-S02" {
		t.Errorf("saved counter: %+v %v", c, err)
	}
	for _, p := range []string{"/hall", "/hall/main/board", "/hall/main/take?via=phone", "/appointments/new?service=Q-S01", "/counter/1/screen", "/counter/1/rate"} {
		if resp := h.do(t, "GET", p, web.Page, nil, nil, ""); resp.StatusCode != 200 {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
	for _, p := range []string{"/hall/manage", "/hall/stats", "/counter"} {
		if resp := h.do(t, "GET", p, web.Page, &manager, nil, ""); resp.StatusCode != 200 {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
}

// TestStaticAssetsAreVersioned: pages ask for the stylesheet by a version of the embedded files,
// which may be cached for good; an unversioned request must be revalidated.
func TestStaticAssetsAreVersioned(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	page := h.do(t, "GET", "/", web.Page, nil, nil, "")
	b, _ := io.ReadAll(page.Body)
	i := strings.Index(string(b), "/static/site.css?v=")
	if i < 0 {
		t.Fatal("the page does not link a versioned stylesheet")
	}
	url := string(b[i : i+len("/static/site.css?v=")+12])
	if resp := h.do(t, "GET", url, web.Page, nil, nil, ""); resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("%s: %d %q", url, resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	if resp := h.do(t, "GET", "/static/site.css", web.Page, nil, nil, ""); resp.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("unversioned: %q", resp.Header.Get("Cache-Control"))
	}
}
