package certs

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"banhao/audit"
	"banhao/errs"
	"banhao/identity"
	"banhao/store"
)

// Access is one read of a person's certificate, personal data or case material by someone else:
// who, when, for which case and purpose. The subject sees the list in their account.
type Access struct {
	ID         int64  `json:"id"`
	ObjectType string `json:"object_type"` // certificate | personal_data | material
	ObjectID   string `json:"object_id"`
	ObjectName string `json:"object_name"`
	Actor      string `json:"actor,omitempty"` // the reader's account; left out of the applicant's own list
	ActorName  string `json:"actor_name"`      // the reader's display name (the account's name today)
	Role       string `json:"role"`
	RoleName   string `json:"role_name"`
	Department string `json:"department,omitempty"`
	// DepartmentName is the reader's department by name, as the subject reads it.
	DepartmentName string    `json:"department_name,omitempty"`
	Case           string    `json:"case"`
	Purpose        string    `json:"purpose"`
	At             time.Time `json:"at"`

	subject string
}

// SystemReaders name the system's readers on a subject's list: the 秒批 rules (cases.RulesActor)
// read the applicant's certificates to check has_cert.
var SystemReaders = map[string]string{"rules": "系统（秒批规则）"}

// RecordAccess writes an access inside tx. A read without a case or a purpose is refused: that
// is the rule that makes every look at someone's data accountable.
func (s *Service) RecordAccess(ctx context.Context, tx *store.Tx, by audit.Actor, subjectID string, a Access) (err error) {
	defer errs.Wrap(&err, "certs.RecordAccess")
	a.Case, a.Purpose = strings.TrimSpace(a.Case), strings.TrimSpace(a.Purpose)
	var v errs.Validation
	v.Check(a.Case != "", "case", "查看他人数据须说明所办理的办件编号")
	v.Check(a.Purpose != "" && utf8.RuneCountInString(a.Purpose) <= 100, "purpose", "查看他人数据须说明用途（1–100 字）")
	if err := v.Err(); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases WHERE number = ?`, a.Case).Scan(&n); err != nil {
		return fmt.Errorf("certs: record access: find case %s: %w", a.Case, err)
	}
	if n == 0 {
		return errs.Invalid("case", "办件不存在："+a.Case)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO data_access (subject_idx, object_type, object_id, object_name, actor, actor_role, department,
		case_number, purpose, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, s.HolderIndex(subjectID), a.ObjectType, a.ObjectID, a.ObjectName,
		by.Username, by.Role, by.Department, a.Case, a.Purpose, s.now().UTC())
	if err != nil {
		return fmt.Errorf("certs: record access to %s %s: %w", a.ObjectType, a.ObjectID, err)
	}
	return nil
}

// RecordAccessOnce is RecordAccess unless the same reader already read the same object for
// the same case since since (the start of the day): a clerk who opens a case ten times in a
// morning read the applicant's data once that day, and the list says so once.
func (s *Service) RecordAccessOnce(ctx context.Context, tx *store.Tx, by audit.Actor, subjectID string, a Access, since time.Time) (err error) {
	defer errs.Wrap(&err, "certs.RecordAccessOnce")
	var n int
	err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM data_access WHERE subject_idx = ? AND at >= ? AND object_type = ? AND object_id = ?
		AND actor = ? AND case_number = ?`, s.HolderIndex(subjectID), since.UTC(), a.ObjectType, a.ObjectID, by.Username, strings.TrimSpace(a.Case)).Scan(&n)
	if err != nil {
		return fmt.Errorf("certs: earlier reads of %s %s: %w", a.ObjectType, a.ObjectID, err)
	}
	if n > 0 {
		return nil
	}
	return s.RecordAccess(ctx, tx, by, subjectID, a)
}

// RecordLookupOnce records a read made before any case exists — the window looking up an
// applicant's credit records (信用记录查询) as their ID number is typed, ahead of registering
// the application — once per reader, subject and object since since (the start of the day).
// The purpose and what was read are required; the list shows it without a case number.
func (s *Service) RecordLookupOnce(ctx context.Context, tx *store.Tx, by audit.Actor, subjectID string, a Access, since time.Time) (err error) {
	defer errs.Wrap(&err, "certs.RecordLookupOnce")
	a.Purpose = strings.TrimSpace(a.Purpose)
	var v errs.Validation
	v.Check(a.Purpose != "" && utf8.RuneCountInString(a.Purpose) <= 100, "purpose", "查看他人数据须说明用途（1–100 字）")
	v.Check(a.ObjectType != "" && a.ObjectID != "" && a.ObjectName != "", "object", "查看他人数据须说明查看的内容")
	if err := v.Err(); err != nil {
		return err
	}
	var n int
	err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM data_access WHERE subject_idx = ? AND at >= ? AND object_type = ? AND object_id = ?
		AND actor = ? AND case_number = ''`, s.HolderIndex(subjectID), since.UTC(), a.ObjectType, a.ObjectID, by.Username).Scan(&n)
	if err != nil {
		return fmt.Errorf("certs: earlier look-ups of %s %s: %w", a.ObjectType, a.ObjectID, err)
	}
	if n > 0 {
		return nil
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO data_access (subject_idx, object_type, object_id, object_name, actor, actor_role, department,
		case_number, purpose, at) VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, ?)`, s.HolderIndex(subjectID), a.ObjectType, a.ObjectID, a.ObjectName,
		by.Username, by.Role, by.Department, a.Purpose, s.now().UTC())
	if err != nil {
		return fmt.Errorf("certs: record look-up of %s %s: %w", a.ObjectType, a.ObjectID, err)
	}
	return nil
}

// CaseUse is a case as the library must know it before staff read a certificate for it: its
// number, its applicant, and the certificates its materials use. The cases service builds it
// after checking that the reader may see the case; the library checks that the certificate
// belongs to it.
type CaseUse struct {
	Number      string
	ApplicantID string
	Used        []string // certificates used for the case's materials
	Types       []string // the kinds of certificate the case's item asks for
}

// Read returns a certificate in full to a staff member working on a case, and records the read
// on the holder's list and in the audit log, in one transaction. Only a certificate used for one
// of the case's materials, or the applicant's of a kind its item asks for, may be read for it:
// naming some case does not open every certificate.
func (s *Service) Read(ctx context.Context, by audit.Actor, id string, use CaseUse, purpose string) (_ Certificate, err error) {
	defer errs.Wrap(&err, "certs.Read")
	var c Certificate
	err = s.db.Tx(ctx, func(tx *store.Tx) (err error) {
		if c, err = s.get(ctx, tx, id); err != nil {
			return err
		}
		applicants := c.holderIdx == s.HolderIndex(use.ApplicantID) && slices.Contains(use.Types, c.Type)
		if strings.TrimSpace(use.Number) != "" && !slices.Contains(use.Used, id) && !applicants {
			return errs.Forbidden("该证照未用于本办件的材料，也不是本事项所需的申请人证照，不能调阅")
		}
		if err := s.RecordAccess(ctx, tx, by, c.HolderID, Access{ObjectType: "certificate", ObjectID: c.ID,
			ObjectName: c.Type + " " + c.Number, Case: use.Number, Purpose: purpose}); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, by, "certificate.read", "certificate", id, nil, map[string]string{"case": use.Number, "purpose": purpose})
	})
	return c, err
}

// AccessesOf lists who read the principal's data, to the principal alone: an agent acting for
// an organisation does not see the organisation's list.
func (s *Service) AccessesOf(ctx context.Context, sess identity.ApplicantSession, limit int) (_ []Access, err error) {
	defer errs.Wrap(&err, "certs.AccessesOf")
	if !sess.SeesAccount() {
		return nil, errs.Forbidden("代办人不能查看单位的数据调阅记录")
	}
	as, err := s.Accesses(ctx, sess.Principal().IDNumber, limit)
	for i := range as {
		as[i].Actor = "" // the reader by name, role and department; a staff login name helps only guessing
	}
	return as, err
}

// Accesses lists the reads of a person's or organisation's data, newest first.
func (s *Service) Accesses(ctx context.Context, subjectID string, limit int) (_ []Access, err error) {
	defer errs.Wrap(&err, "certs.Accesses")
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := s.db.QueryContext(ctx, `SELECT a.id, a.object_type, a.object_id, a.object_name, a.actor, COALESCE(NULLIF(u.display_name, ''), a.actor),
		a.actor_role, a.department, COALESCE(d.name, a.department), a.case_number, a.purpose, a.at
		FROM data_access a LEFT JOIN users u ON u.username = a.actor LEFT JOIN departments d ON d.code = a.department
		WHERE a.subject_idx = ? ORDER BY a.at DESC, a.id DESC LIMIT ?`, s.HolderIndex(subjectID), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Access{}
	for rows.Next() {
		var a Access
		if err := rows.Scan(&a.ID, &a.ObjectType, &a.ObjectID, &a.ObjectName, &a.Actor, &a.ActorName, &a.Role, &a.Department, &a.DepartmentName,
			&a.Case, &a.Purpose, &a.At); err != nil {
			return nil, err
		}
		if a.DepartmentName == "" { // a clerk or a supervisor works for the center, not a department
			a.DepartmentName = identity.RoleUnits[identity.Role(a.Role)]
		}
		a.RoleName = identity.RoleNames[identity.Role(a.Role)]
		if name, ok := SystemReaders[a.Actor]; ok && a.Role == audit.System.Role { // the system read it, under a rule
			a.ActorName, a.RoleName, a.DepartmentName = name, "自动核验", a.Department
		}
		if a.RoleName == "" {
			a.RoleName = a.Role
		}
		a.At = a.At.UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}
