package cases

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"banhao/catalog"
	"banhao/errs"
)

// Later is a material the applicant will supply later under 容缺 (an online or kiosk
// application; the window sets the date by which it is due when it accepts the case).
type Later struct {
	Item       string `json:"item,omitempty"` // in a bundle application: the item the material is for
	MaterialID string `json:"material_id"`
}

// Supplied is what an application brings for an item's materials.
type Supplied struct {
	Refs     []MaterialRef // uploaded files and certificates named by the applicant
	Library  []string      // materials the applicant's certificate library fills (免提交)
	Deferred []string      // materials the applicant will supply later under 容缺
}

// Missing is the rule that an application the applicant submits themself (online, at the
// kiosk, through an agent) is complete: every required material that does not come from shared
// data is supplied (a file or a certificate), taken from the applicant's certificate library, or
// deferred under 容缺 where the item allows it. It returns the materials still missing, in the
// guide's order. The window does not use it: there a clerk registers the application and sends
// one 补正 notice for everything missing.
func Missing(materials []catalog.Material, in Supplied) []catalog.Material {
	have := map[string]bool{}
	for _, r := range in.Refs {
		if r.FileID != "" || r.CertificateID != "" {
			have[r.MaterialID] = true
		}
	}
	for _, id := range in.Library {
		have[id] = true
	}
	var out []catalog.Material
	for _, m := range materials {
		if !m.Required || m.Source == catalog.SourceShared || have[m.ID] {
			continue
		}
		if m.Deferrable && slices.Contains(in.Deferred, m.ID) {
			continue
		}
		out = append(out, m)
	}
	return out
}

// IncompleteError names each missing material by its name (prefix names the item in a bundle).
func IncompleteError(prefix string, missing []catalog.Material) error {
	return incompleteError(prefix, "", missing, func(m catalog.Material) string {
		how := "请上传文件"
		if m.Source == catalog.SourceCertificate {
			how = "请上传文件或使用电子证照"
		}
		if m.Deferrable {
			how += "，或选择容缺后补"
		}
		return how
	})
}

// incompleteError is the one shape of a missing-materials refusal: how many and which, then
// what it stops (after: "，不能受理" at the window), and each material at its field (prefix and
// its name) with what to do (how). nil when none is missing.
func incompleteError(prefix, after string, missing []catalog.Material, how func(catalog.Material) string) error {
	if len(missing) == 0 {
		return nil
	}
	names := make([]string, len(missing))
	fields := make([]errs.FieldError, len(missing))
	for i, m := range missing {
		names[i] = m.Name
		fields[i] = errs.FieldError{Field: prefix + m.Name, Message: "必需材料，尚未提交" + after + "：" + how(m)}
	}
	return &errs.Error{Code: errs.CodeInvalid, Message: fmt.Sprintf("缺少 %d 项必需材料%s：%s", len(missing), after, strings.Join(names, "、")), Fields: fields}
}

// selfService: every channel but the window is the applicant's own submission, with no clerk
// to check the materials before it is registered.
func selfService(channel string) bool { return channel != "window" }

// checkComplete refuses a self-service application of item while a required material is
// missing. A deferral must name a deferrable material of the item that is not supplied.
func (s *Service) checkComplete(ctx context.Context, prefix string, item catalog.Item, refs []MaterialRef, later []string, applicantID string) error {
	var v errs.Validation
	for _, id := range later {
		m, ok := materialByID(item, id)
		switch {
		case !ok:
			v.Add(prefix+"容缺", fmt.Sprintf("事项没有编号为 %q 的材料", id))
		case !m.Deferrable:
			v.Add(prefix+m.Name, "该材料不可容缺，须随申请提交")
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	library, err := s.libraryFills(ctx, item, refs, applicantID)
	if err != nil {
		return err
	}
	missing := Missing(item.Materials, Supplied{Refs: refs, Library: library, Deferred: later})
	if item.HandlingMode == catalog.ModeCommitment { // approved on the commitment at once: the form offers no 容缺
		for i := range missing {
			missing[i].Deferrable = false
		}
	}
	return IncompleteError(prefix, missing)
}

// libraryFills lists the certificate materials not named by refs that the applicant's valid
// certificates fill (what reuseCertificates will take in).
func (s *Service) libraryFills(ctx context.Context, item catalog.Item, refs []MaterialRef, applicantID string) ([]string, error) {
	if applicantID == "" {
		return nil, nil
	}
	given := map[string]bool{}
	for _, r := range refs {
		given[r.MaterialID] = true
	}
	var out []string
	for _, m := range item.Materials {
		if m.Source != catalog.SourceCertificate || given[m.ID] || !m.Required {
			continue
		}
		_, err := s.certs.Usable(ctx, applicantID, m.CertificateType)
		if errs.Is(err, errs.CodeNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, m.ID)
	}
	return out, nil
}

// laterOf picks the deferrals of one item; in a single item's application (single) they may
// leave the item out.
func laterOf(later []Later, item string, single bool) []string {
	var out []string
	for _, l := range later {
		if l.Item == item || (single && l.Item == "") {
			out = append(out, l.MaterialID)
		}
	}
	return out
}
