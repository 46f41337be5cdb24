package identity

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"banhao/audit"
	"banhao/errs"
	"banhao/network"
	"banhao/store"
)

// Account rules shared by creating an account (AddUser) and editing one (UpdateUser): the same
// checks of the fields, the same rule of where an account may work and who may manage it.

// checkProfile checks what a person is called, their role and whether it needs a department.
func checkProfile(v *errs.Validation, displayName string, role Role, department string) {
	v.Check(utf8.RuneCountInString(displayName) <= 50, "display_name", "姓名最多 50 个字")
	v.Check(ValidRole(role), "role", roleMessage())
	if role == Approver {
		v.Check(department != "", "department", "后台审批人员须指定所属部门")
	}
}

// checkPassword is the password rule of every account (bcrypt reads at most 72 bytes).
func checkPassword(v *errs.Validation, field, password string) {
	v.Check(len(password) >= 8, field, "密码至少 8 个字符")
	v.Check(len(password) <= 72, field, "密码不能超过 72 个字节")
}

// DepartmentFits is the rule of which departments an account of a center may belong to: one
// of the center's region or of a region above it (a county's 公安局 staff work at the county's
// center or a township's below it; a city department may staff a county hall), never a
// department of another region or of one below. A region not known (""), as in an installation
// without a network, fits.
func DepartmentFits(deptRegion, centerRegion string) bool {
	return deptRegion == "" || centerRegion == "" || deptRegion == centerRegion || network.Within(centerRegion, deptRegion)
}

// MayManage is the rule of whose accounts an admin creates and edits: those of the centers in
// the region they oversee (network.SupervisedRegion: a county center's admin its county's and
// its townships' centers; the city's, or an account of no center, every one). An account of no
// center ("") works at the main center.
func MayManage(centers []network.Center, by audit.Actor, center string) bool {
	scope := network.SupervisedRegion(centers, by.Center)
	if scope == "" {
		return true
	}
	if center == "" {
		m, ok := network.MainCenter(centers)
		if !ok {
			return false
		}
		center = m.Code
	}
	for _, c := range centers {
		if c.Code == center {
			return network.Oversees(scope, c.RegionCode)
		}
	}
	return false
}

// CheckSelfEdit is the rule of what an admin may not do to their own account: remove their own
// admin role or stop it (another admin does that, so that an installation is never left
// without one by a slip).
func CheckSelfEdit(by audit.Actor, before User, role Role, disabled bool) error {
	if by.Username != before.Username {
		return nil
	}
	var v errs.Validation
	v.Check(before.Role != Admin || role == Admin, "role", "不能取消自己的中心管理员角色，请由另一位管理员操作")
	v.Check(!disabled || before.Disabled, "disabled", "不能停用自己的账号，请由另一位管理员操作")
	return v.Err()
}

// place is where an account works, as checked: the center (the main one for ""), its region's
// name for messages, and the names of the center and the department for the audit log.
type place struct {
	centers    []network.Center
	center     network.Center
	department string // the department's name
}

// loadCenters reads every center (a city has about a hundred).
func loadCenters(ctx context.Context, tx *store.Tx) ([]network.Center, error) {
	rows, err := tx.QueryContext(ctx, `SELECT code, name, region_code, level, is_main FROM centers`)
	if err != nil {
		return nil, fmt.Errorf("identity: centers: %w", err)
	}
	defer rows.Close()
	var out []network.Center
	for rows.Next() {
		var c network.Center
		var main int
		if err := rows.Scan(&c.Code, &c.Name, &c.RegionCode, &c.Level, &main); err != nil {
			return nil, fmt.Errorf("identity: centers: %w", err)
		}
		c.Main = main != 0
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("identity: centers: %w", err)
	}
	return out, nil
}

// regionName is a region's name for a message (沾化区): its code when the tree does not have it.
// A failed read is an error, not a code in a message.
func regionName(ctx context.Context, tx *store.Tx, code string) (string, error) {
	var name string
	err := tx.QueryRowContext(ctx, `SELECT name FROM regions WHERE code = ?`, code).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return code, nil
	}
	if err != nil {
		return "", fmt.Errorf("identity: the name of region %s: %w", code, err)
	}
	return cmp.Or(name, code), nil
}

// notOverseen is the refusal (made by refuse) of an account at a center outside what by
// oversees, naming what they do oversee: 您只能管理沾化区及其下级服务中心的账号.
func notOverseen(ctx context.Context, tx *store.Tx, centers []network.Center, by audit.Actor, refuse func(msg string) error) error {
	name, err := regionName(ctx, tx, network.SupervisedRegion(centers, by.Center))
	if err != nil {
		return err
	}
	return refuse(fmt.Sprintf("您只能管理%s及其下级服务中心的账号", name))
}

// placeAccount checks where an account is to work: the department and center exist, the
// department fits the center's region (DepartmentFits) and by may manage accounts of that
// center (MayManage). Every refusal names its field.
func placeAccount(ctx context.Context, tx *store.Tx, by audit.Actor, department, center string) (place, error) {
	var p place
	var err error
	if p.centers, err = loadCenters(ctx, tx); err != nil {
		return p, err
	}
	if center == "" {
		if m, ok := network.MainCenter(p.centers); ok {
			p.center = m
		}
	} else {
		found := false
		for _, c := range p.centers {
			if c.Code == center {
				p.center, found = c, true
			}
		}
		if !found {
			return p, errs.Invalid("center", fmt.Sprintf("服务中心 %q 不存在", center))
		}
	}
	if !MayManage(p.centers, by, p.center.Code) {
		return p, notOverseen(ctx, tx, p.centers, by, func(msg string) error { return errs.Invalid("center", msg) })
	}
	if department == "" {
		return p, nil
	}
	var region string
	err = tx.QueryRowContext(ctx, `SELECT name, region_code FROM departments WHERE code = ?`, department).Scan(&p.department, &region)
	if errors.Is(err, sql.ErrNoRows) {
		return p, errs.Invalid("department", fmt.Sprintf("部门 %q 不存在", department))
	}
	if err != nil {
		return p, fmt.Errorf("identity: department %s: %w", errs.Short(department), err)
	}
	if !DepartmentFits(region, p.center.RegionCode) {
		rn, err := regionName(ctx, tx, region)
		if err != nil {
			return p, err
		}
		return p, errs.Invalid("department", fmt.Sprintf("%s属于%s，不是%s所在区划或其上级的部门", p.department, rn, p.center.Name))
	}
	return p, nil
}

// UserEdit is what editing an account changes: every field as the edit form shows it.
type UserEdit struct {
	DisplayName string
	Role        Role
	Department  string
	// Center is the code of the account's center; empty means the main center.
	Center   string
	Disabled bool
	// Password, when not empty, is a new password the admin sets (the same rule as a new
	// account's); empty keeps the old one.
	Password string
}

// User returns one account by its username.
func (s *Service) User(ctx context.Context, username string) (_ User, err error) {
	defer errs.Wrap(&err, "identity.User")
	var u User
	var disabled int
	err = s.db.QueryRowContext(ctx, `SELECT id, username, display_name, role, COALESCE(department_code, ''), center_code, disabled FROM users WHERE username = ?`,
		username).Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.Department, &u.Center, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, errs.NotFound("账号", username)
	}
	if err != nil {
		return User{}, fmt.Errorf("identity: user %s: %w", errs.Short(username), err)
	}
	u.Disabled = disabled != 0
	return u, nil
}

// MayEdit reports whether by may edit the account (MayManage of its center): a page asks before
// showing the form.
func (s *Service) MayEdit(ctx context.Context, by audit.Actor, u User) (err error) {
	defer errs.Wrap(&err, "identity.MayEdit")
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		centers, err := loadCenters(ctx, tx)
		if err != nil {
			return err
		}
		if !MayManage(centers, by, u.Center) {
			return notOverseen(ctx, tx, centers, by, errs.Forbidden)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("identity: may %s edit %s: %w", by.Username, u.Username, err)
	}
	return nil
}

// UpdateUser changes an account: its name, role, department, center, whether it may sign in,
// and optionally its password. A stopped account's sessions end in the same transaction; so do
// the sessions of an account whose password another admin reset. Each kind of change is one
// audit entry naming what changed in words.
func (s *Service) UpdateUser(ctx context.Context, by audit.Actor, username string, in UserEdit) (_ User, err error) {
	defer errs.Wrap(&err, "identity.UpdateUser")
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	in.Center = strings.TrimSpace(in.Center)
	var v errs.Validation
	checkProfile(&v, in.DisplayName, in.Role, in.Department)
	if in.Password != "" {
		checkPassword(&v, "password", in.Password)
	}
	if err := v.Err(); err != nil {
		return User{}, err
	}
	var hash []byte
	if in.Password != "" {
		var err error
		if hash, err = bcrypt.GenerateFromPassword([]byte(in.Password), s.cost); err != nil {
			return User{}, fmt.Errorf("identity: hash the new password of %s: %w", errs.Short(username), err)
		}
	}
	var after User
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		var before User
		var disabled int
		err := tx.QueryRowContext(ctx, `SELECT id, username, display_name, role, COALESCE(department_code, ''), center_code, disabled FROM users WHERE username = ?`+tx.ForUpdate(),
			username).Scan(&before.ID, &before.Username, &before.DisplayName, &before.Role, &before.Department, &before.Center, &disabled)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.NotFound("账号", username)
		}
		if err != nil {
			return err
		}
		before.Disabled = disabled != 0
		centers, err := loadCenters(ctx, tx)
		if err != nil {
			return err
		}
		if !MayManage(centers, by, before.Center) {
			return notOverseen(ctx, tx, centers, by, errs.Forbidden)
		}
		if err := CheckSelfEdit(by, before, in.Role, in.Disabled); err != nil {
			return err
		}
		p, err := placeAccount(ctx, tx, by, in.Department, in.Center)
		if err != nil {
			return err
		}
		after = User{ID: before.ID, Username: before.Username, DisplayName: in.DisplayName, Role: in.Role, Department: in.Department,
			Center: p.center.Code, Disabled: in.Disabled}
		if after.DisplayName == "" {
			after.DisplayName = before.Username
		}
		names, err := accountNames(ctx, tx, centers, before, after)
		if err != nil {
			return err
		}
		changes := Changes(before, after, names)
		if len(changes) == 0 && hash == nil && before.Disabled == after.Disabled {
			return nil
		}
		var dept any
		if after.Department != "" {
			dept = after.Department
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET display_name = ?, role = ?, department_code = ?, center_code = ?, disabled = ? WHERE id = ?`,
			after.DisplayName, string(after.Role), dept, after.Center, b2i(after.Disabled), after.ID); err != nil {
			return err
		}
		if hash != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, string(hash), after.ID); err != nil {
				return err
			}
		}
		// A stopped account signs out everywhere at once; so does one whose password another
		// admin set (an admin setting their own keeps the session they are using).
		if after.Disabled || (hash != nil && by.Username != after.Username) {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, after.ID); err != nil {
				return err
			}
		}
		if len(changes) > 0 {
			if err := s.audit.Record(ctx, tx, by, "user.update", "user", after.Username, before,
				map[string]any{"user": after, "changes": changes}); err != nil {
				return err
			}
		}
		if before.Disabled != after.Disabled {
			action := "user.enable"
			if after.Disabled {
				action = "user.disable"
			}
			if err := s.audit.Record(ctx, tx, by, action, "user", after.Username, nil, nil); err != nil {
				return err
			}
		}
		if hash != nil {
			return s.audit.Record(ctx, tx, by, "user.reset_password", "user", after.Username, nil, map[string]any{"sessions_ended": by.Username != after.Username})
		}
		return nil
	})
	if err != nil {
		return User{}, fmt.Errorf("identity: update user %s: %w", errs.Short(username), err)
	}
	return after, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Names are the words for the codes of an account, before and after a change.
type Names struct {
	Departments map[string]string
	Centers     map[string]string
}

func (n Names) dept(code string) string {
	if code == "" {
		return "（无）"
	}
	return cmp.Or(n.Departments[code], code)
}

func (n Names) center(code string) string {
	return cmp.Or(n.Centers[code], code)
}

// accountNames reads the names Changes needs.
func accountNames(ctx context.Context, tx *store.Tx, centers []network.Center, before, after User) (Names, error) {
	n := Names{Departments: map[string]string{}, Centers: map[string]string{}}
	for _, c := range centers {
		n.Centers[c.Code] = c.Name
	}
	for _, d := range []string{before.Department, after.Department} {
		if d == "" {
			continue
		}
		var name string
		err := tx.QueryRowContext(ctx, `SELECT name FROM departments WHERE code = ?`, d).Scan(&name)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return n, fmt.Errorf("identity: department %s: %w", d, err)
		}
		n.Departments[d] = name
	}
	return n, nil
}

// Changes says in words what an edit changes of an account's profile, one line a field:
// 角色：综合窗口 → 后台审批. Whether it may sign in is an action of its own (停用, 启用).
func Changes(before, after User, n Names) []string {
	var out []string
	add := func(label string, changed bool, a, b string) {
		if changed {
			out = append(out, label+"："+a+" → "+b)
		}
	}
	add("姓名", before.DisplayName != after.DisplayName, before.DisplayName, after.DisplayName)
	add("角色", before.Role != after.Role, cmp.Or(RoleNames[before.Role], string(before.Role)), cmp.Or(RoleNames[after.Role], string(after.Role)))
	add("部门", before.Department != after.Department, n.dept(before.Department), n.dept(after.Department))
	add("所属中心", before.Center != after.Center, n.center(before.Center), n.center(after.Center))
	return out
}
