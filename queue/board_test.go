package queue_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"banhao/demo"
	"banhao/errs"
	"banhao/queue"
	"banhao/store"
	"banhao/store/storetest"
)

// TestBoardAndScreenFollowTheCounter: the board's calls carry their ticket's status (a call at
// the counter is current, a finished one past); a counter's screen shows the number at it now,
// nothing once it finished, and its opening and closing reach the hall's screens as events.
func TestBoardAndScreenFollowTheCounter(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		first := e.issue(t, "C", queue.IssueInput{})
		second := e.issue(t, "C", queue.IssueInput{})
		e.act(t, "5", queue.Call, queue.ActInput{})
		e.clk.add(time.Minute)
		e.act(t, "6", queue.Call, queue.ActInput{})
		e.act(t, "5", queue.Finish, queue.ActInput{})

		b, err := e.q.Board(ctx, demo.HallID)
		if err != nil {
			t.Fatal(err)
		}
		status := map[string]queue.Status{}
		for _, c := range b.Calls {
			status[c.Number] = c.Status
		}
		if len(b.Calls) != 2 || status[first.Number] != queue.Done || status[second.Number] != queue.Called ||
			b.Calls[0].Number != second.Number || !b.Calls[0].AtCounter() || b.Calls[1].AtCounter() {
			t.Errorf("board calls: %+v", b.Calls)
		}

		sc, err := e.q.Screen(ctx, "6")
		if err != nil || sc.Number != second.Number || sc.Status != queue.Called || sc.Name != "6号窗口" || sc.Hall != demo.HallID {
			t.Errorf("screen of counter 6: %+v %v", sc, err)
		}
		if sc, err := e.q.Screen(ctx, "5"); err != nil || sc.Number != "" || sc.Status != "" {
			t.Errorf("screen of counter 5 after finishing: %+v %v", sc, err)
		}
		if _, err := e.q.Screen(ctx, "no-such-counter"); code(err) != errs.CodeNotFound {
			t.Errorf("screen of an unknown counter: %v", err)
		}

		events, cancel := e.q.Hub.Broker.Subscribe(demo.HallID)
		defer cancel()
		if err := e.q.SetCounterOpen(ctx, clerk, "6", false); err != nil {
			t.Fatal(err)
		}
		ev := <-events
		var d queue.CounterData
		if err := json.Unmarshal(ev.Data, &d); err != nil || ev.Type != "counter" || d.Counter != "6" || d.Open {
			t.Errorf("event of closing counter 6: %s %s %v", ev.Type, ev.Data, err)
		}
		if sc, err := e.q.Screen(ctx, "6"); err != nil || sc.Open {
			t.Errorf("screen of the closed counter: %+v %v", sc, err)
		}
	})
}
