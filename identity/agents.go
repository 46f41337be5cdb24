package identity

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"banhao/calendar"
	"banhao/errs"
	"banhao/store"
)

// Authorisation lets an agent (代办) act for an organisation: for the items in Scope ("*" = all)
// until EndsOn (inclusive).
type Authorisation struct {
	ID      int64         `json:"id"`
	Org     Applicant     `json:"org"`
	AgentID int64         `json:"agent_id"`
	Scope   []string      `json:"scope"`
	EndsOn  calendar.Date `json:"ends_on"`
}

// Covers reports whether an authorisation allows applying for an item on a day: a pure rule.
func (au Authorisation) Covers(item string, today calendar.Date) bool {
	return today <= au.EndsOn && (slices.Contains(au.Scope, "*") || slices.Contains(au.Scope, item))
}

// Authorise records that the organisation signed in (org) lets the person with agentID act for
// it within scope until endsOn.
func (a *Applicants) Authorise(ctx context.Context, org ApplicantSession, agentID string, scope []string, endsOn calendar.Date, today calendar.Date) (_ Authorisation, err error) {
	defer errs.Wrap(&err, "identity.Applicants.Authorise")
	if org.Applicant.Kind != OrgApplicant || org.ActingFor != nil || org.Channel == ChannelKiosk {
		return Authorisation{}, errs.Forbidden("只有法人账户本身可以授权代办")
	}
	var v errs.Validation
	var clean []string
	for _, s := range scope {
		if s = strings.TrimSpace(s); s != "" {
			clean = append(clean, s)
		}
	}
	v.Check(len(clean) > 0, "scope", "授权范围须列出事项编码，或 * 表示全部事项")
	v.Check(endsOn >= today && endsOn <= today.AddDays(366), "ends_on", "授权截止日须在今天至一年之内")
	agent, err := a.ByIDNumber(ctx, agentID)
	if err != nil || agent.Kind != PersonApplicant { // one answer: it tells no more than that this is not a person with an account
		v.Add("agent_id_number", "代办人须为已开通账户的个人，请核对其身份证号码（代办人可到窗口开通账户）")
	}
	if err := v.Err(); err != nil {
		return Authorisation{}, err
	}
	au := Authorisation{Org: org.Applicant, AgentID: agent.ID, Scope: clean, EndsOn: endsOn}
	err = a.db.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO authorisations (org_id, agent_id, scope, ends_on, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			org.Applicant.ID, agent.ID, strings.Join(clean, ","), endsOn, a.now().UTC()).Scan(&au.ID); err != nil {
			return err
		}
		return a.audit.Record(ctx, tx, org.Applicant.Actor(), "applicant.authorise", "applicant", strconv.FormatInt(agent.ID, 10), nil,
			map[string]any{"org": org.Applicant.ID, "scope": clean, "ends_on": endsOn})
	})
	return au, err
}

// mandate is the agent's current authorisation for an organisation: not revoked, not ended
// today; Forbidden when there is none.
func (a *Applicants) mandate(ctx context.Context, agentID, orgID int64) (Authorisation, error) {
	aus, err := a.Authorisations(ctx, agentID, a.today())
	if err != nil {
		return Authorisation{}, err
	}
	for _, au := range aus {
		if au.Org.ID == orgID {
			return au, nil
		}
	}
	return Authorisation{}, errs.Forbidden("没有该单位的有效代办授权（已撤销或已到期）")
}

func (a *Applicants) today() calendar.Date { return calendar.DateOf(a.now(), a.loc) }

// Granted lists the authorisations an organisation has given that are still in force, for the
// organisation to see and revoke.
func (a *Applicants) Granted(ctx context.Context, org ApplicantSession) (_ []Grant, err error) {
	defer errs.Wrap(&err, "identity.Applicants.Granted")
	if org.Applicant.Kind != OrgApplicant || org.ActingFor != nil {
		return nil, nil
	}
	rows, err := a.db.QueryContext(ctx, `SELECT id, agent_id, scope, ends_on FROM authorisations WHERE org_id = ? AND revoked_at IS NULL AND ends_on >= ? ORDER BY id`,
		org.Applicant.ID, a.today())
	if err != nil {
		return nil, err
	}
	var out []Grant
	for rows.Next() {
		var g Grant
		var scope string
		if err := rows.Scan(&g.ID, &g.AgentID, &scope, &g.EndsOn); err != nil {
			rows.Close()
			return nil, err
		}
		g.Scope = strings.Split(scope, ",")
		out = append(out, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		agent, err := a.byID(ctx, a.db, out[i].AgentID)
		if err != nil {
			return nil, err
		}
		out[i].AgentName, out[i].AgentIDNumber = agent.Name, MaskID(agent.IDNumber)
	}
	return out, nil
}

// Grant is an authorisation as the organisation that gave it sees it.
type Grant struct {
	ID            int64         `json:"id"`
	AgentID       int64         `json:"-"`
	AgentName     string        `json:"agent_name"`
	AgentIDNumber string        `json:"agent_id_number"`
	Scope         []string      `json:"scope"`
	EndsOn        calendar.Date `json:"ends_on"`
}

// RevokeAuthorisation ends an authorisation at once: the agent's next request no longer acts
// for the organisation. Only the organisation itself may revoke it.
func (a *Applicants) RevokeAuthorisation(ctx context.Context, org ApplicantSession, id int64) (err error) {
	defer errs.Wrap(&err, "identity.Applicants.RevokeAuthorisation")
	if org.ActingFor != nil || org.Channel == ChannelKiosk {
		return errs.Forbidden("只有法人账户本身可以撤销代办授权")
	}
	return a.db.Tx(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE authorisations SET revoked_at = ? WHERE id = ? AND org_id = ? AND revoked_at IS NULL`,
			a.now().UTC(), id, org.Applicant.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return errs.NotFound("代办授权", strconv.FormatInt(id, 10))
		}
		return a.audit.Record(ctx, tx, org.Applicant.Actor(), "applicant.revoke_authorisation", "authorisation", strconv.FormatInt(id, 10), nil, nil)
	})
}

// Authorisations lists the organisations an agent may act for today.
func (a *Applicants) Authorisations(ctx context.Context, agentID int64, today calendar.Date) (_ []Authorisation, err error) {
	defer errs.Wrap(&err, "identity.Applicants.Authorisations")
	rows, err := a.db.QueryContext(ctx, `SELECT id, org_id, scope, ends_on FROM authorisations WHERE agent_id = ? AND revoked_at IS NULL AND ends_on >= ? ORDER BY id`,
		agentID, today)
	if err != nil {
		return nil, err
	}
	type raw struct {
		id, org int64
		scope   string
		ends    calendar.Date
	}
	var rs []raw
	for rows.Next() {
		var r raw
		if err := rows.Scan(&r.id, &r.org, &r.scope, &r.ends); err != nil {
			rows.Close()
			return nil, err
		}
		rs = append(rs, r)
	}
	rows.Close()
	// Several authorisations by one organisation act as one: their items together, until the
	// latest end.
	out := []Authorisation{}
	byOrg := map[int64]int{}
	for _, r := range rs {
		if i, ok := byOrg[r.org]; ok {
			for _, item := range strings.Split(r.scope, ",") {
				if !slices.Contains(out[i].Scope, item) {
					out[i].Scope = append(out[i].Scope, item)
				}
			}
			out[i].EndsOn = max(out[i].EndsOn, r.ends)
			continue
		}
		org, err := a.byID(ctx, a.db, r.org)
		if err != nil {
			return nil, err
		}
		byOrg[r.org] = len(out)
		out = append(out, Authorisation{ID: r.id, Org: org, AgentID: agentID, Scope: strings.Split(r.scope, ","), EndsOn: r.ends})
	}
	return out, rows.Err()
}

// ActFor switches a signed-in agent's session to act for an organisation they hold a current
// authorisation of; orgID 0 switches back to the agent themselves.
func (a *Applicants) ActFor(ctx context.Context, sess ApplicantSession, orgID int64, today calendar.Date) (err error) {
	defer errs.Wrap(&err, "identity.Applicants.ActFor")
	if err := sess.Allows(ChannelOnline); err != nil {
		return err
	}
	var target any
	if orgID != 0 {
		var n int
		err := a.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM authorisations WHERE agent_id = ? AND org_id = ? AND revoked_at IS NULL AND ends_on >= ?`,
			sess.Applicant.ID, orgID, today).Scan(&n)
		if err != nil {
			return err
		}
		if n == 0 {
			return errs.Forbidden("没有该单位的有效代办授权")
		}
		target = orgID
	}
	return a.db.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE applicant_sessions SET acting_for = ? WHERE token_hash = ?`, target, TokenHash(sess.Token)); err != nil {
			return err
		}
		return a.audit.Record(ctx, tx, sess.Applicant.Actor(), "applicant.act_for", "applicant", strconv.FormatInt(orgID, 10), nil, nil)
	})
}

// MayApply checks that a session may apply for an item for its principal: an agent only within
// the authorisation in force (Authenticate re-read it for this request).
func (a *Applicants) MayApply(ctx context.Context, sess ApplicantSession, item string, today calendar.Date) (err error) {
	defer errs.Wrap(&err, "identity.Applicants.MayApply")
	return MayApply(sess, item, today)
}

// MayApply is the rule of who may apply for an item in a session: the principal themselves, an
// agent only within the authorisation in force on today.
func MayApply(sess ApplicantSession, item string, today calendar.Date) error {
	if sess.ActingFor == nil {
		return nil
	}
	if sess.Mandate == nil || sess.Mandate.Org.ID != sess.ActingFor.ID || !sess.Mandate.Covers(item, today) {
		return errs.Forbidden("代办授权不包括该事项，或授权已到期")
	}
	return nil
}
