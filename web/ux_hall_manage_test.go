package web_test

import (
	"io"
	"net/url"
	"strings"
	"testing"

	"banhao/demo"
	"banhao/identity"
	"banhao/web"
)

// TestHallManageKeepsWhatWasTypedAndShowsNames: the hall manager's forms name the call
// strategies and the lines as people know them, and a failed save shows that form again as
// typed, each error next to its field and summarised at the top; the other forms keep their
// stored values.
func TestHallManageKeepsWhatWasTypedAndShowsNames(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	mgr := h.sessions[identity.HallManager]
	page := h.seen(t, "/hall/manage", mgr)
	for _, want := range []string{"等候最久优先", "按业务优先级", "按权重分配", "A 商事登记"} {
		if !strings.Contains(page, want) {
			t.Errorf("/hall/manage lacks %q", want)
		}
	}
	for _, raw := range []string{"longest_wait", "weighted", " priority", demo.ServiceCode("A")} {
		if strings.Contains(page, raw) {
			t.Errorf("/hall/manage shows the key %q", raw)
		}
	}

	post := func(values url.Values) (int, string) {
		values.Set("csrf", mgr.CSRF)
		resp := h.do(t, "POST", "/hall/manage", web.Page, &mgr, strings.NewReader(values.Encode()), "application/x-www-form-urlencoded")
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// A counter: its new name, the strategy chosen and a profile naming a line the hall lacks.
	status, body := post(url.Values{"what": {"counter"}, "existing": {"1"}, "id": {"1"}, "hall": {demo.HallID}, "name": {"一号综合窗口（改）"},
		"rule": {"weighted"}, "profile": {"A:3,Z:1"}})
	if status != 400 {
		t.Fatalf("bad profile: %d", status)
	}
	for _, want := range []string{`id="counter-1-name" type="text" name="name" value="一号综合窗口（改）"`, `value="A:3,Z:1"`,
		`<option value="weighted" selected>按权重分配</option>`, `<a href="#counter-1-profile">办理业务</a>`, `id="counter-1-profile-error"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the counter form after a failed save lacks %s", want)
		}
	}
	if !strings.Contains(visible(body), "“Z”不是本大厅的排队业务") {
		t.Errorf("the profile's error does not name what was typed: %s", shown(body))
	}
	if !strings.Contains(body, `id="counter-2-name" type="text" name="name" value="2号窗口"`) {
		t.Errorf("another counter's form lost its stored name")
	}

	// A new line: every field at fault named at once, what was typed kept, its section open.
	status, body = post(url.Values{"what": {"service"}, "hall": {demo.HallID}, "code": {"Q-NEW"}, "name": {"新的排队业务"}, "prefix": {"a1"},
		"range_from": {"1"}, "range_to": {"99"}, "opens": {"25:00"}, "closes": {"17:00"}, "daily_limit": {"很多"}, "service_minutes": {"10"},
		"slot_minutes": {"30"}, "slot_capacity": {""}, "appointment_from": {"09:00"}, "appointment_to": {"17:00"}})
	if status != 400 {
		t.Fatalf("bad line: %d", status)
	}
	msgs := shown(body)
	for _, want := range []string{"号码前缀", "取号开始", "每日限额", "须为整数", "如 08:30", "必填，请填写整数"} {
		if !strings.Contains(msgs, want) {
			t.Errorf("the errors lack %q: %s", want, msgs)
		}
	}
	// The summary lists them in the form's order, whichever check found them.
	last := -1
	for _, label := range []string{"号码前缀", "取号开始", "每日限额", "每时段预约容量"} {
		i := strings.Index(msgs, label)
		if i < last {
			t.Errorf("the error summary is not in the form's order (%s out of place): %s", label, msgs)
		}
		last = i
	}
	for _, want := range []string{`value="新的排队业务"`, `value="a1"`, `value="25:00"`, `value="很多"`, `id="service-new-prefix-error"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the new line's form lacks %s", want)
		}
	}
	if k := internalKey.FindString(msgs); k != "" {
		t.Errorf("internal key %q in %s", k, msgs)
	}
}
