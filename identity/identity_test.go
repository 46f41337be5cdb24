package identity_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"banhao/audit"
	"banhao/errs"
	"banhao/identity"
	"banhao/store"
	"banhao/store/storetest"
	"banhao/wiring"

	"golang.org/x/crypto/bcrypt"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func setup(t *testing.T, db *store.DB) (*identity.Service, *clock) {
	t.Helper()
	c := &clock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	log := wiring.Must(audit.New([]byte("identity-test-key-identity-test-k"), c.now))
	svc := wiring.Must(identity.NewService(db, log, c.now))
	if _, err := db.ExecContext(context.Background(), `INSERT INTO departments (code, name, updated_at) VALUES ('XZSP', '行政审批服务局', ?)`, c.t); err != nil {
		t.Fatal(err)
	}
	return svc, c
}

func TestAddUserRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, _ := setup(t, db)
		ctx := context.Background()
		for _, tc := range []struct {
			in    identity.NewUser
			field string
		}{
			{identity.NewUser{Username: "Bad Name", Password: "long-enough", Role: identity.Clerk}, "username"},
			{identity.NewUser{Username: "short", Password: "short", Role: identity.Clerk}, "password"},
			{identity.NewUser{Username: "who", Password: "long-enough", Role: "boss"}, "role"},
			{identity.NewUser{Username: "appr", Password: "long-enough", Role: identity.Approver}, "department"},
			{identity.NewUser{Username: "appr", Password: "long-enough", Role: identity.Approver, Department: "NOPE"}, "department"},
			{identity.NewUser{Username: "long.name", DisplayName: strings.Repeat("名", 51), Password: "long-enough", Role: identity.Clerk}, "display_name"},
		} {
			_, err := svc.AddUser(ctx, audit.System, tc.in)
			e, ok := errs.As(err)
			if !ok || len(e.Fields) == 0 || e.Fields[0].Field != tc.field {
				t.Errorf("AddUser(%+v) = %v, want an error naming %s", tc.in, err, tc.field)
			}
		}
		if _, err := svc.AddUser(ctx, audit.System, identity.NewUser{Username: "li.qiang", DisplayName: " 李强 ", Password: "s3cret-pass", Role: identity.Approver, Department: "XZSP"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddUser(ctx, audit.System, identity.NewUser{Username: "wang.min", Password: "s3cret-pass", Role: identity.Clerk}); err != nil {
			t.Fatal(err)
		}
		users, err := svc.Users(ctx)
		if err != nil {
			t.Fatal(err)
		}
		shown := map[string]string{}
		for _, u := range users {
			shown[u.Username] = u.DisplayName
		}
		if shown["li.qiang"] != "李强" || shown["wang.min"] != "wang.min" {
			t.Fatalf("display names %v: want 李强 as given (trimmed), and the username where none was given", shown)
		}
		if _, err := svc.AddUser(ctx, audit.System, identity.NewUser{Username: "li.qiang", Password: "s3cret-pass", Role: identity.Clerk}); !errs.Is(err, errs.CodeConflict) {
			t.Fatalf("duplicate username: %v, want conflict", err)
		}
	})
}

// TestAddUserWithAHash: accounts given one hash made by HashPassword sign in with that password;
// a hash of a lower cost than the service's, or anything not a bcrypt hash, is refused.
func TestAddUserWithAHash(t *testing.T) {
	db := storetest.SQLite(t)
	svc, _ := setup(t, db)
	ctx := context.Background()
	if _, err := svc.HashPassword("short"); err == nil {
		t.Fatal("HashPassword took a 5-character password")
	}
	hash, err := svc.HashPassword("shared-demo-pass")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"clerk.a", "clerk.b"} {
		if _, err := svc.AddUser(ctx, audit.System, identity.NewUser{Username: name, PasswordHash: hash, Role: identity.Clerk}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Login(ctx, name, "shared-demo-pass", "127.0.0.1", identity.KindWeb); err != nil {
			t.Fatalf("%s signs in with the hashed password: %v", name, err)
		}
		if _, err := svc.Login(ctx, name, "other-password", "127.0.0.1", identity.KindWeb); err == nil {
			t.Fatalf("%s signed in with another password", name)
		}
	}
	weak, _ := bcrypt.GenerateFromPassword([]byte("shared-demo-pass"), bcrypt.MinCost)
	slow := []byte("$2a$31$" + string(hash[7:])) // a cost no sign-in could afford to verify
	for _, bad := range [][]byte{weak, slow, []byte("plain text")} {
		_, err := svc.AddUser(ctx, audit.System, identity.NewUser{Username: "clerk.c", PasswordHash: bad, Role: identity.Clerk})
		if e, ok := errs.As(err); !ok || len(e.Fields) == 0 || e.Fields[0].Field != "password" {
			t.Fatalf("AddUser with hash %q: %v, want an error naming password", bad[:10], err)
		}
	}
}

func TestLoginSessionsAndRateLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, c := setup(t, db)
		ctx := context.Background()
		if _, err := svc.AddUser(ctx, audit.System, identity.NewUser{Username: "wang", Password: "right-password", Role: identity.Clerk}); err != nil {
			t.Fatal(err)
		}
		sess, err := svc.Login(ctx, "wang", "right-password", "10.0.0.1", identity.KindAPI)
		if err != nil {
			t.Fatal(err)
		}
		got, err := svc.Authenticate(ctx, sess.Token)
		if err != nil || got.User.Role != identity.Clerk {
			t.Fatalf("authenticate: %+v %v", got.User, err)
		}
		var hash string
		_ = db.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE username = 'wang'`).Scan(&hash)
		if len(hash) < 50 || hash[:4] != "$2a$" {
			t.Fatalf("password stored as %q, want a bcrypt hash", hash)
		}
		// The session ends when it expires.
		c.t = c.t.Add(13 * time.Hour)
		if _, err := svc.Authenticate(ctx, sess.Token); !errs.Is(err, errs.CodeUnauthorized) {
			t.Fatalf("expired session: %v, want unauthorized", err)
		}
		// Five wrong passwords, then even the right one is refused for a while.
		for i := range 5 {
			if _, err := svc.Login(ctx, "wang", "wrong", "10.0.0.2", identity.KindAPI); !errs.Is(err, errs.CodeUnauthorized) {
				t.Fatalf("attempt %d: %v, want unauthorized", i+1, err)
			}
		}
		if _, err := svc.Login(ctx, "wang", "right-password", "10.0.0.2", identity.KindAPI); !errs.Is(err, errs.CodeTooManyRequests) {
			t.Fatalf("after 5 failures: %v, want too many requests", err)
		}
		c.t = c.t.Add(31 * time.Second)
		if _, err := svc.Login(ctx, "wang", "right-password", "10.0.0.2", identity.KindAPI); err != nil {
			t.Fatalf("30 s later the right password should work: %v", err)
		}
		// Logout ends the session.
		s2, _ := svc.Login(ctx, "wang", "right-password", "10.0.0.2", identity.KindWeb)
		if err := svc.Logout(ctx, s2.Token); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Authenticate(ctx, s2.Token); err == nil {
			t.Fatal("session survived logout")
		}
	})
}

// TestSignInLimitsHoldAcrossNodes: two nodes on one database spend from the same buckets, so
// spreading wrong passwords over nodes gains nothing; concurrent failures are all counted.
func TestSignInLimitsHoldAcrossNodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		nodeA, c := setup(t, db)
		nodeB := wiring.Must(identity.NewService(db, wiring.Must(audit.New([]byte("identity-test-key-identity-test-k"), c.now)), c.now))
		if _, err := nodeA.AddUser(ctx, audit.System, identity.NewUser{Username: "zhao", Password: "right-password", Role: identity.Clerk}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for i := range 5 { // five wrong passwords at once from one address, over both nodes
			wg.Add(1)
			go func() {
				defer wg.Done()
				node := []*identity.Service{nodeA, nodeB}[i%2]
				if _, err := node.Login(ctx, "zhao", "wrong", "10.0.1.1", identity.KindAPI); !errs.Is(err, errs.CodeUnauthorized) {
					t.Errorf("attempt %d: %v, want unauthorized", i, err)
				}
			}()
		}
		wg.Wait()
		for _, node := range []*identity.Service{nodeA, nodeB} {
			if _, err := node.Login(ctx, "zhao", "right-password", "10.0.1.1", identity.KindAPI); !errs.Is(err, errs.CodeTooManyRequests) {
				t.Fatalf("after five failures spread over two nodes: %v, want too many requests on either", err)
			}
		}
		c.t = c.t.Add(31 * time.Second)
		if _, err := nodeB.Login(ctx, "zhao", "right-password", "10.0.1.1", identity.KindAPI); err != nil {
			t.Fatalf("30 s later: %v", err)
		}
	})
}

// TestSecurityNoLockOut (issue 11, finding 11): wrong passwords from one address do not shut
// the owner out — they sign in from their own address at once; a guess spread over fifty
// addresses only slows the name down (one try every 10 s), it never locks it.
func TestSecurityNoLockOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, c := setup(t, db)
		if _, err := svc.AddUser(ctx, audit.System, identity.NewUser{Username: "admin2", Password: "right-password", Role: identity.Admin}); err != nil {
			t.Fatal(err)
		}
		for range 10 {
			_, _ = svc.Login(ctx, "admin2", "guess", "203.0.113.66", identity.KindWeb)
		}
		if _, err := svc.Login(ctx, "admin2", "right-password", "203.0.113.66", identity.KindWeb); !errs.Is(err, errs.CodeTooManyRequests) {
			t.Fatalf("the guessing address: %v, want too many requests", err)
		}
		first, err := svc.LoginOnDevice(ctx, "admin2", "right-password", "198.51.100.7", identity.KindWeb, "")
		if err != nil || first.Device == "" {
			t.Fatalf("the owner, at their own address, after someone else's guesses: %v", err)
		}
		// Fifty addresses, five guesses each (each within its own limits): the name's own bucket is spent.
		for i := range 50 {
			for range 5 {
				_, _ = svc.Login(ctx, "admin2", "guess", fmt.Sprintf("192.0.2.%d", i), identity.KindWeb)
			}
		}
		if _, err := svc.Login(ctx, "admin2", "right-password", "198.51.100.7", identity.KindWeb); !errs.Is(err, errs.CodeTooManyRequests) {
			t.Fatalf("after a distributed guess: %v, want the name slowed", err)
		}
		// The browser the owner signed in on before is known to the name: it does not wait.
		if again, err := svc.LoginOnDevice(ctx, "admin2", "right-password", "198.51.100.8", identity.KindWeb, first.Device); err != nil || again.Device != first.Device {
			t.Fatalf("the owner on a known browser during the distributed guess: %v", err)
		}
		if _, err := svc.LoginOnDevice(ctx, "admin2", "guess", "192.0.2.200", identity.KindWeb, first.Device+"x"); !errs.Is(err, errs.CodeTooManyRequests) {
			t.Fatalf("a made-up device token passes the name's limit: %v", err)
		}
		c.t = c.t.Add(11 * time.Second)
		if _, err := svc.Login(ctx, "admin2", "right-password", "198.51.100.7", identity.KindWeb); err != nil {
			t.Fatalf("ten seconds later the owner signs in: %v", err)
		}
	})
}

// TestSecurityParallelGuessesCounted: twenty wrong passwords sent at once from one address are
// all counted — five reach the password check, the rest are refused — and the right password
// sent with them does not slip through.
func TestSecurityParallelGuessesCounted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := setup(t, db)
		if _, err := svc.AddUser(ctx, audit.System, identity.NewUser{Username: "qian", Password: "right-password", Role: identity.Clerk}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		counts := map[errs.Code]int{}
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := svc.Login(ctx, "qian", fmt.Sprintf("guess-%d", i), "203.0.113.77", identity.KindAPI)
				e, _ := errs.As(err)
				mu.Lock()
				counts[e.Code]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if counts[errs.CodeUnauthorized] != 5 || counts[errs.CodeTooManyRequests] != 15 {
			t.Errorf("twenty parallel guesses: %v, want 5 checked and 15 refused", counts)
		}
		if _, err := svc.Login(ctx, "qian", "right-password", "203.0.113.77", identity.KindAPI); !errs.Is(err, errs.CodeTooManyRequests) {
			t.Errorf("the right password right after: %v, want too many requests", err)
		}
	})
}
