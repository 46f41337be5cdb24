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

// MayReadMaterials is the rule of who opens a case's materials: a material reader who may see
// the case.
func MayReadMaterials(viewer audit.Actor, c Case) error {
	if !slices.Contains(MaterialReaders, identity.Role(viewer.Role)) {
		return errs.Forbidden("该角色不能查看办件材料")
	}
	return canView(viewer, c)
}

// ReadMaterial gives a staff member working on a case the file of one of its materials, and puts
// the read on the applicant's data-access list (谁查看了我的数据) and in the audit log, in one
// transaction. A file that is not a material of this case is "not found", like an unknown one.
func (s *Service) ReadMaterial(ctx context.Context, viewer audit.Actor, number, fileID string) (files.File, CaseMaterial, error) {
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
