package web_test

import (
	"context"
	"html"
	"io"
	"regexp"
	"strings"
	"testing"

	"banhao/cases"
	"banhao/demo"
	"banhao/identity"
	"banhao/network"
	"banhao/queue"
	"banhao/store"
	"banhao/web"
)

var (
	tags    = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<[^>]*>`)
	spaces  = regexp.MustCompile(`\s+`)
	rawKeys = regexp.MustCompile(`\b[a-z]+(_[a-z]+)*\.[a-z]+(_[a-z]+)*\b`) // case.read_personal_data, user.login
)

// visible is a page's text as a person reads it: no tags, no attributes.
func visible(page string) string {
	return strings.TrimSpace(spaces.ReplaceAllString(html.UnescapeString(tags.ReplaceAllString(page, " ")), " "))
}

// seen is the visible text of a staff page.
func (h *harness) seen(t *testing.T, path string, sess identity.Session) string {
	t.Helper()
	resp := h.do(t, "GET", path, web.Page, &sess, nil, "")
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d", path, resp.StatusCode)
	}
	return visible(string(b))
}

// TestPagesShowNamesNotCodes: where a person reads, departments, staff, audit actions and rating
// targets are named, never shown by their code, username or key.
func TestPagesShowNamesNotCodes(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		clerk, approver := h.sessions[identity.Clerk], h.sessions[identity.Approver]
		clerkName, approverName := displayName(t, "clerk"), displayName(t, "approver")
		number, item := h.windowCase(t, h.uploadAs(t, &clerk, "营业执照.pdf", "%PDF-1.4\n%%EOF\n"))
		if _, err := h.cases.Accept(ctx, clerk.User.Actor(), number, cases.AcceptInput{}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.cases.Claim(ctx, approver.User.Actor(), number, true); err != nil {
			t.Fatal(err)
		}
		dept := item.Department.Name // 行政审批服务局, code XZSP

		office := h.seen(t, "/office", approver)
		if !strings.Contains(office, "审批工作台 · "+dept) || !strings.Contains(office, approverName) {
			t.Errorf("/office shows %q: want the department %s in the title and the assignee %s", office, dept, approverName)
		}
		for _, raw := range []string{"XZSP", " approver "} {
			if strings.Contains(" "+office+" ", raw) {
				t.Errorf("/office shows the code %q: %q", raw, office)
			}
		}

		page := h.seen(t, "/cases/"+number, approver)
		for _, want := range []string{"办理人 " + approverName, "受理 · " + clerkName + "（综合窗口）", "认领 · " + approverName + "（后台审批）", dept} {
			if !strings.Contains(page, want) {
				t.Errorf("the case page lacks %q: %q", want, page)
			}
		}
		for _, raw := range []string{" approver ", " clerk ", "accept", "claim", "XZSP"} {
			if strings.Contains(" "+page+" ", raw) {
				t.Errorf("the case page shows %q: %q", raw, page)
			}
		}

		// The audit log: actions by their names, people by theirs.
		audit := h.seen(t, "/admin/audit", h.sessions[identity.Auditor])
		for _, want := range []string{"查看个人信息", "认领", approverName + "（后台审批）", "办件 " + number, "新建工作人员账号"} {
			if !strings.Contains(audit, want) {
				t.Errorf("the audit log lacks %q", want)
			}
		}
		if keys := rawKeys.FindAllString(audit, 5); len(keys) > 0 {
			t.Errorf("the audit log shows internal keys %v", keys)
		}

		// 差评: a case's (department and approver) and a visit's (queue line, counter, clerk).
		tk, err := h.queue.Issue(ctx, queue.Requester{Actor: clerk.User.Actor(), Staff: true}, queue.IssueInput{Service: demo.ServiceCode("A"), Source: "window"})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []struct {
			number, ticket, dept, service, counter, staff, channel string
		}{
			{number, "", "XZSP", "", "", "approver", "online"},
			{"", tk.ID, "", demo.ServiceCode("A"), "1", "clerk", "counter"},
		} {
			if _, err := db.ExecContext(ctx, `INSERT INTO ratings (case_number, ticket_id, level, comment, channel, department_code, service_code, counter_id, staff, created_at)
				VALUES (?, ?, 1, '态度差', ?, ?, ?, ?, ?, ?)`, nullable(r.number), nullable(r.ticket), r.channel, r.dept, r.service, r.counter, r.staff, h.srv.Now().UTC()); err != nil {
				t.Fatal(err)
			}
		}
		rated := h.seen(t, "/ratings", h.sessions[identity.Supervisor])
		for _, want := range []string{"办件 " + number, dept + " · " + approverName, "排队号 " + tk.Number, "商事登记 · 1号窗口 · " + clerkName, "网上办事大厅", "窗口评价器"} {
			if !strings.Contains(rated, want) {
				t.Errorf("/ratings lacks %q: %q", want, rated)
			}
		}
		for _, raw := range []string{"XZSP", demo.ServiceCode("A"), tk.ID, " approver ", " clerk ", "online", "counter"} {
			if strings.Contains(" "+rated+" ", raw) {
				t.Errorf("/ratings shows %q: %q", raw, rated)
			}
		}

		// The applicant's list of who read their data: the approver by name, role and department.
		_, my := h.citizenDo(t, h.citizenSession(t), "GET", "/my", nil)
		mine := visible(my)
		if !strings.Contains(mine, approverName+"（后台审批） "+dept) || !strings.Contains(mine, "身份证件号码、手机号码") {
			t.Errorf("the data-access list does not name the approver, role and department: %q", mine)
		}
		if strings.Contains(mine, "approver") || strings.Contains(mine, "XZSP") {
			t.Errorf("the data-access list shows a username or code: %q", mine)
		}

		users := h.seen(t, "/admin/users", h.sessions[identity.Admin])
		if !strings.Contains(users, approverName+" 后台审批 "+dept) {
			t.Errorf("the accounts list does not name the approver's department: %q", users)
		}
	})
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// TestAuditLogNamesExportsAndCenters: the audit log names a center by its name and an export of
// the case figures by its grouping, never by a code or an internal key.
func TestAuditLogNamesExportsAndCenters(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		super := h.sessions[identity.Supervisor]
		resp := h.do(t, "GET", "/supervise.xlsx?by=department&from=2026-11-01&to=2026-11-30", web.Page, &super, nil, "")
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("/supervise.xlsx: %d", resp.StatusCode)
		}
		if _, err := h.srv.Network.PutCenter(ctx, h.sessions[identity.Admin].User.Actor(),
			network.Center{Code: "NEW-1", Name: "滨城区试点便民服务中心", RegionCode: "371602000000"}); err != nil {
			t.Fatal(err)
		}
		log := h.seen(t, "/admin/audit", h.sessions[identity.Auditor])
		for _, want := range []string{"办件统计 按部门", "服务中心 滨城区试点便民服务中心"} {
			if !strings.Contains(log, want) {
				t.Errorf("the audit log lacks %q: %q", want, log)
			}
		}
		for _, raw := range []string{"办件统计 department", "NEW-1"} {
			if strings.Contains(log, raw) {
				t.Errorf("the audit log shows %q", raw)
			}
		}
	})
}
