package web

import (
	"context"
	"log/slog"
	"strings"
	"sync"

	"banhao/audit"
	"banhao/identity"
)

// names turns the codes and keys a page holds into what a person reads: departments by name,
// staff by their display name, roles and audit actions in Chinese. Pages reach it as .Names;
// it reads the departments and accounts once per page, and only if the page asks.
type names struct {
	ctx context.Context
	s   *Server

	once  sync.Once
	depts map[string]string // code → name
	staff map[string]string // username → display name

	hallOnce sync.Once
	things   map[string]string // "queue_service:Q-S01", "counter:1", "certificate_type:ZZ001", "center:C1", "region:371602" → name

	records map[string]string // "ticket:ID", "file:ID" → what a person knows it by (record)
}

func (s *Server) names(ctx context.Context) *names { return &names{ctx: ctx, s: s} }

func (n *names) load() {
	n.once.Do(func() {
		n.depts, n.staff = map[string]string{}, map[string]string{}
		if ds, err := n.s.Catalog.AllDepartments(n.ctx); err == nil {
			for _, d := range ds {
				n.depts[d.Code] = d.Name
			}
		} else {
			n.s.Logger.Warn("names: departments", slog.Any("err", err))
		}
		if us, err := n.s.Identity.Users(n.ctx); err == nil {
			for _, u := range us {
				n.staff[u.Username] = u.DisplayName
			}
		} else {
			n.s.Logger.Warn("names: accounts", slog.Any("err", err))
		}
	})
}

// loadHall reads the names of the queue lines, counters, certificate types, centers and
// regions, which only the audit log asks for.
func (n *names) loadHall() {
	n.hallOnce.Do(func() {
		n.things = map[string]string{}
		if svcs, err := n.s.Queue.Services(n.ctx, ""); err == nil {
			for _, q := range svcs {
				n.things["queue_service:"+q.Code] = q.Prefix + " · " + q.Name
			}
		}
		if cs, err := n.s.Queue.Counters(n.ctx, ""); err == nil {
			for _, c := range cs {
				n.things["counter:"+c.ID] = c.Name
			}
		}
		if ts, err := n.s.Certs.Types(n.ctx); err == nil {
			for _, t := range ts {
				n.things["certificate_type:"+t.Code] = t.Name
			}
		}
		if cs, err := n.s.Network.Centers(n.ctx); err == nil {
			for _, c := range cs {
				n.things["center:"+c.Code] = c.Name
			}
		}
		if rs, err := n.s.Network.Regions(n.ctx); err == nil {
			for _, r := range rs {
				n.things["region:"+r.Code] = r.Name
			}
		}
	})
}

// Dept is a department's name ("" for none; the code itself for one that no longer exists).
func (n *names) Dept(code string) string {
	if code == "" {
		return ""
	}
	n.load()
	if name, ok := n.depts[code]; ok {
		return name
	}
	return code
}

// actorNames are the actors that are not staff accounts.
var actorNames = map[string]string{"": "—", "system": "系统", "rules": "系统（秒批）", "cli": "命令行", "anonymous": "未登录用户", "sim": "模拟"}

// Staff is who did something, as a person reads it: a staff account by its display name, an
// applicant as 申请人, the system as 系统.
func (n *names) Staff(username string) string {
	if name, ok := actorNames[username]; ok {
		return name
	}
	if id, ok := strings.CutPrefix(username, "applicant:"); ok {
		return "申请人 #" + id
	}
	n.load()
	if name, ok := n.staff[username]; ok && name != "" {
		return name
	}
	return username
}

// Who is an actor with their role where it tells something: 李强（后台审批）, 系统, 申请人 #3.
func (n *names) Who(username, role string) string {
	name := n.Staff(username)
	if _, special := actorNames[username]; special || role == "applicant" || role == "" || role == "system" {
		return name
	}
	return name + "（" + n.Role(role) + "）"
}

// roleNames are the roles of actors that are not staff roles.
var roleNames = map[string]string{"system": "系统", "anonymous": "未登录", "applicant": "申请人", "public": "公众"}

// Role is a role's Chinese name.
func (n *names) Role(role string) string {
	if name, ok := identity.RoleNames[identity.Role(role)]; ok {
		return name
	}
	if name, ok := roleNames[role]; ok {
		return name
	}
	return role
}

// Action is an audit action's Chinese name.
func (n *names) Action(action string) string { return audit.ActionName(action) }

// Object is what an audit entry is about, as a person reads it: the kind in Chinese, then the
// department or account by name, anything else by its number.
func (n *names) Object(objectType, objectID string) string {
	id := objectID
	switch objectType {
	case "department":
		id = n.Dept(objectID)
	case "user":
		id = n.Staff(objectID)
	case "cases": // an export of the case figures, grouped by department or by item
		if by, ok := statsByNames[objectID]; ok {
			id = by
		}
	case "queue_service", "counter", "certificate_type", "center", "region":
		n.loadHall()
		if name, ok := n.things[objectType+":"+objectID]; ok {
			id = name
		}
	case "ticket", "file", "appointment", "hall_device":
		if name := n.record(objectType, objectID); name != "" {
			id = name
		}
	}
	return strings.TrimSpace(audit.ObjectName(objectType) + " " + id)
}

// statsByNames are the groupings of the case figures, as the audit log names an export of them.
var statsByNames = map[string]string{"department": "按部门", "item": "按事项"}

// recordQueries read what a person knows a ticket, a file, an appointment or a device by: its
// number and day, its name and the case it belongs to, its code, its name.
var recordQueries = map[string]string{
	"ticket": `SELECT t.number || '（' || t.day || ' ' || q.name || '）' FROM tickets t JOIN queue_services q ON q.code = t.service_code WHERE t.id = ?`,
	"file": `SELECT f.name || COALESCE('（办件 ' || (SELECT MIN(m.case_number) FROM case_materials m WHERE m.file_id = f.id) || '）', '')
		FROM files f WHERE f.id = ?`,
	"appointment": `SELECT CASE WHEN a.code <> '' THEN a.code ELSE a.id END || '（' || a.day || ' ' || a.slot || '）' FROM appointments a WHERE a.id = ?`,
	"hall_device": `SELECT name FROM hall_devices WHERE id = ?`,
}

// record is an object of the audit log as a person knows it ("" when it cannot be read: the
// log then shows its number). Each is read once per page.
func (n *names) record(objectType, objectID string) string {
	key := objectType + ":" + objectID
	if name, ok := n.records[key]; ok {
		return name
	}
	if n.records == nil {
		n.records = map[string]string{}
	}
	var name string
	if err := n.s.DB.QueryRowContext(n.ctx, recordQueries[objectType], objectID).Scan(&name); err != nil {
		name = ""
	}
	n.records[key] = name
	return name
}

// roleName is a staff role's Chinese name, for messages.
func roleName(r identity.Role) string { return (*names)(nil).Role(string(r)) }
