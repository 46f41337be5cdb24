package cases

import (
	"context"
	"fmt"
	"slices"

	"banhao/audit"
	"banhao/certs"
	"banhao/errs"
	"banhao/files"
	"banhao/identity"
	"banhao/store"
)

// MaterialReaders are the staff roles whose work on a case needs its materials: the window that
// takes them in, the deciding department's approvers, the supervisors and the auditors. Which
// cases each may open is canView's rule (an approver only their own department's).
var MaterialReaders = []identity.Role{identity.Clerk, identity.Approver, identity.Supervisor, identity.Auditor}

// MayReadMaterials is the rule of who opens a case's materials (API.md): the deciding
// department's approvers, the clerk who took the case in (or any clerk while an online
// application waits to be accepted), supervisors and auditors.
func MayReadMaterials(viewer audit.Actor, c Case) (err error) {
	defer errs.Wrap(&err, "cases.MayReadMaterials")
	if !slices.Contains(MaterialReaders, identity.Role(viewer.Role)) {
		return errs.Forbidden("该角色不能查看办件材料")
	}
	if identity.Role(viewer.Role) == identity.Clerk && c.Status != Submitted && !ActedOn(viewer, c) {
		return errs.Forbidden("只有受理该办件的窗口人员可以查看其材料")
	}
	return canView(viewer, c)
}

// ActedOn reports whether the viewer has an entry of their own on the case's timeline: a clerk
// who took the case in, accepted it, asked for corrections or handed out its result. An online
// application waiting to be accepted is open to every clerk (any window may accept it).
func ActedOn(viewer audit.Actor, c Case) bool {
	return slices.ContainsFunc(c.Timeline, func(e Event) bool { return e.Actor == viewer.Username && e.Role == viewer.Role })
}

// ReadMaterial gives a staff member working on a case the file of one of its materials, and puts
// the read on the applicant's data-access list (谁查看了我的数据) and in the audit log, in one
// transaction. A file that is not a material of this case is "not found", like an unknown one.
func (s *Service) ReadMaterial(ctx context.Context, viewer audit.Actor, number, fileID string) (_ files.File, _ CaseMaterial, err error) {
	defer errs.Wrap(&err, "cases.ReadMaterial")
	c, err := s.load(ctx, s.db, number)
	if err != nil {
		return files.File{}, CaseMaterial{}, err
	}
	if err := MayReadMaterials(viewer, c); err != nil {
		return files.File{}, CaseMaterial{}, err
	}
	i := slices.IndexFunc(c.Materials, func(m CaseMaterial) bool { return fileID != "" && m.FileID == fileID })
	if i < 0 {
		return files.File{}, CaseMaterial{}, errs.NotFound("材料文件", fileID)
	}
	m := c.Materials[i]
	f, err := s.files.Get(ctx, s.db, fileID)
	if err != nil {
		return files.File{}, CaseMaterial{}, fmt.Errorf("material file %s of case %s: %w", fileID, c.Number, err)
	}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		if err := s.certs.RecordAccess(ctx, tx, viewer, c.Applicant.IDNumber, certs.Access{ObjectType: "material", ObjectID: f.ID,
			ObjectName: "申请材料：" + m.Name, Case: c.Number, Purpose: "办件审查"}); err != nil {
			return fmt.Errorf("record the read of material %s on case %s: %w", f.ID, c.Number, err)
		}
		return s.audit.Record(ctx, tx, viewer, "case.read_material", "case", c.Number, nil, map[string]string{"material": m.MaterialID, "file": f.ID})
	})
	return f, m, err
}
