package cases

import (
	"context"
	"slices"

	"banhao/audit"
	"banhao/errs"
	"banhao/files"
	"banhao/identity"
)

// Uploaders are the accounts that upload a material by the API before naming its file in an
// application or an action (POST /api/v1/files, API.md): the window's clerk, an agent, an
// approver. An uploaded file is attached later by the same account only (OwnUpload).
func Uploaders() []identity.Role {
	return []identity.Role{identity.Clerk, identity.Agent, identity.Approver}
}

// Upload stores a material's file for a later application or action of by (the file rules —
// size, sniffed type, image bounds — are the files store's); up nil is the refusal naming the
// field.
func (s *Service) Upload(ctx context.Context, by audit.Actor, up *Upload) (_ files.File, err error) {
	defer errs.Wrap(&err, "cases.Upload")
	if !slices.Contains(Uploaders(), identity.Role(by.Role)) {
		return files.File{}, errs.Forbidden("只有窗口人员、代办员和审批人员可以上传材料")
	}
	if up == nil || up.Body == nil {
		return files.File{}, errs.Invalid("file", "请选择要上传的文件")
	}
	return s.files.Save(ctx, by, up.Name, up.Body)
}
