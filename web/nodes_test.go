package web_test

import (
	"banhao/app"
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"banhao/catalog"
	"banhao/demo"
	"banhao/identity"
	"banhao/store"
	"banhao/store/storetest"
	"banhao/web"
)

// node is a whole server on its own connection to the database: its own caches and writer.
func node(t *testing.T, dsn, dataDir string) (*harness, *store.DB) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	h := wireLogged(t, db, dataDir, app.Settings{Center: demo.CenterName, DevCodes: true},
		slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		func(c *app.Config) { c.Staleness = 100 * time.Millisecond }) // the other node's changes show sooner
	return h, db
}

func TestTwoNodesBehaveAsOne(t *testing.T) {
	for engine, dsn := range storetest.DSNs(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir() // shared uploads, as nodes share a volume
			a, dbA := node(t, dsn, dir)
			b, _ := node(t, dsn, dir)
			if _, err := demo.Load(ctx, dbA, demo.Services{Catalog: a.cat, Users: a.ids, Hall: a.queue, Certs: a.certs, Applicants: a.people, Cases: a.cases}); err != nil {
				t.Fatal(err)
			}
			// Sign in on node A, work on node B with the same token.
			login := func(h *harness, user string) identity.Session {
				resp := h.do(t, "POST", "/api/v1/login", web.API, nil, strings.NewReader(`{"username":"`+user+`","password":"`+demo.DemoPassword+`"}`), "application/json")
				return identity.Session{Token: decode[struct{ Token string }](t, resp).Token}
			}
			clerk, approver, admin := login(a, "clerk"), login(a, "approver"), login(a, "admin")
			res, _ := b.cat.Search(ctx, catalog.Query{Q: "个体工商户设立登记"})
			if res.Total == 0 {
				t.Fatal("node B does not see the catalog node A loaded")
			}
			file := b.uploadPDF(t, &clerk)
			body := fmt.Sprintf(`{"item":%q,"applicant":{"name":"王五","id_number":"11010519491231002X","phone":"13912345678"},
				"materials":[{"material_id":"m1","file_id":%q},{"material_id":"m2","file_id":%q},{"material_id":"m3","file_id":%q}],"accept":{}}`,
				res.Items[0].Code, file, file, file)
			resp := a.do(t, "POST", "/api/v1/cases", web.API, &clerk, strings.NewReader(body), "application/json")
			c := decode[struct{ Number, Status string }](t, resp)
			if resp.StatusCode != 201 || c.Status != "accepted" {
				t.Fatalf("register and accept on node A: %d %+v", resp.StatusCode, c)
			}
			resp = b.do(t, "POST", "/api/v1/cases/"+c.Number+"/decide", web.API, &approver, strings.NewReader(`{"decision":"approved"}`), "application/json")
			if d := decode[struct{ Status string }](t, resp); resp.StatusCode != 200 || d.Status != "decided" {
				t.Fatalf("decide on node B: %d %+v", resp.StatusCode, d)
			}
			// Both nodes number cases from one sequence: no duplicates.
			seen := map[string]bool{c.Number: true}
			for i := range 6 {
				h := a
				if i%2 == 1 {
					h = b
				}
				resp := h.do(t, "POST", "/api/v1/cases", web.API, &clerk, strings.NewReader(body), "application/json")
				n := decode[struct{ Number string }](t, resp).Number
				if seen[n] {
					t.Fatalf("case number %s handed out twice", n)
				}
				seen[n] = true
			}
			// A catalog change on node A shows on node B.
			resp = a.do(t, "PUT", "/api/v1/items/NODE-1", web.API, &admin, strings.NewReader(`{"name":"跨节点发布的事项","type":"公共服务","department":"XZSP",
				"legal_limit":{"value":5,"unit":"working_day"},"promised_limit":{"value":1,"unit":"working_day"},"visits":0,"online_depth":4}`), "application/json")
			if resp.StatusCode != 201 {
				t.Fatalf("publish on node A: %d", resp.StatusCode)
			}
			var found int
			for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline) && found == 0; time.Sleep(50 * time.Millisecond) {
				found = decode[struct{ Total int }](t, b.do(t, "GET", "/api/v1/items?q=NODE-1", web.API, nil, nil, "")).Total
			}
			if found != 1 {
				t.Fatal("node B never showed the item node A published")
			}
			// One audit log, intact, whichever node wrote.
			if n, err := a.log.Verify(ctx, dbA); err != nil || n < 400 {
				t.Fatalf("audit after two nodes wrote: %d %v", n, err)
			}
		})
	}
}
