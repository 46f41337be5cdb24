package certs

import (
	"regexp"
	"strings"

	"banhao/catalog"
)

// Facts are what the center already knows of an applicant, by label: their account and the
// structured data of their valid certificates.
type Facts struct {
	Kind     string // person | org
	Name     string
	IDNumber string
	Phone    string
	LegalRep string
	Held     []Certificate
}

var (
	parenRe  = regexp.MustCompile(`[（(].*?[)）]`)
	numberRe = regexp.MustCompile(`\d+(\.\d+)?`)
)

// Prefill answers a merged form's fields from facts, so that nothing the center holds is typed
// again (一表申请, 免填写). A field is filled when:
//   - its type names what the account holds: phone; id_number (a person's own), credit_code
//     (an organisation's own);
//   - its label (without a parenthesis) is, or is a subject word for, the applicant's own name
//     or legal representative (企业名称, 建设单位, 法定代表人姓名…);
//   - its label (without a parenthesis) names a field of a valid certificate's data, like 住所,
//     经营范围 or 注册资本 (a number field takes the leading number of the value).
//
// The applicant sees and may change every prefilled value before submitting.
func Prefill(fields []catalog.FormField, f Facts) map[string]string {
	data := map[string]string{}
	for _, c := range f.Held {
		if c.Status != Valid {
			continue
		}
		for k, v := range c.Data {
			if s, ok := v.(string); ok && data[k] == "" {
				data[k] = s
			}
		}
	}
	out := map[string]string{}
	for _, fl := range fields {
		label := strings.TrimSpace(parenRe.ReplaceAllString(fl.Label, ""))
		var v string
		switch {
		case fl.Type == "phone":
			v = f.Phone
		case fl.Type == "credit_code" && f.Kind == Org:
			v = f.IDNumber
		case fl.Type == "id_number" && f.Kind == Person && !strings.Contains(label, "法定代表人"):
			v = f.IDNumber
		case f.Kind == Org && (label == "企业名称" || label == "单位名称" || label == "建设单位" || label == "名称"):
			v = f.Name
		case f.Kind == Person && (label == "姓名" || label == "申请人"):
			v = f.Name
		case strings.HasPrefix(label, "法定代表人") && !strings.Contains(label, "身份证") && f.LegalRep != "":
			v = f.LegalRep
		default:
			v = data[label]
		}
		if fl.Type == "number" {
			v = numberRe.FindString(v)
		}
		if v != "" {
			out[fl.Key] = v
		}
	}
	return out
}
