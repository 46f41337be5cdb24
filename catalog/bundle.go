package catalog

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"banhao/errs"
	"banhao/ids"
)

// Bundle is 一件事: several items applied for with one merged form (一表申请) and processed
// together. Items in one stage run in parallel; stages run in order. The bundle has its own
// promised limit, watched as a whole.
type Bundle struct {
	Code          string     `json:"code"`
	Name          string     `json:"name"`
	Description   string     `json:"description,omitempty"`
	Keywords      []string   `json:"keywords,omitempty"` // 别名/俗称
	Themes        []string   `json:"themes,omitempty"`   // life-event theme codes
	Stages        []Stage    `json:"stages"`
	PromisedLimit Limit      `json:"promised_limit"`
	Deferrable    bool       `json:"deferrable"` // 容缺 allowed across the bundle
	Form          BundleForm `json:"form"`
	Status        string     `json:"status,omitempty"`
	Version       int        `json:"version,omitempty"`
	UpdatedAt     time.Time  `json:"updated_at,omitzero"`
}

// Stage is a group of items processed in parallel.
type Stage struct {
	Name  string   `json:"name"`
	Items []string `json:"items"`
}

// BundleForm is the merged form: each field is asked once and feeds the items it names.
type BundleForm struct {
	Fields []FormField `json:"fields"`
}

// FormField is one question of the merged form.
type FormField struct {
	Key      string   `json:"key"`
	Label    string   `json:"label"`
	Type     string   `json:"type"`
	Required bool     `json:"required"`
	Items    []string `json:"items"`             // the items whose forms this field feeds
	Feeds    []string `json:"feeds,omitempty"`   // item form field names, e.g. "legal_name", in the order of Items
	Options  []string `json:"options,omitempty"` // for choice
	Min      *float64 `json:"min,omitempty"`     // for number
	Max      *float64 `json:"max,omitempty"`
	MaxLen   int      `json:"max_length,omitempty"`
}

// FieldTypes are the types a merged-form field may have.
var FieldTypes = []string{"text", "number", "date", "choice", "id_number", "credit_code", "phone", "address", "file"}

// Items lists every item of the bundle in stage order.
func (b Bundle) Items() []string {
	var out []string
	for _, s := range b.Stages {
		out = append(out, s.Items...)
	}
	return out
}

var fieldKeyRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// ValidateBundle checks a bundle's own consistency; that its items exist and are published is
// checked against the catalog when it is stored.
func ValidateBundle(b *Bundle, status string) error {
	var v errs.Validation
	v.Check(simpleCodeRe.MatchString(b.Code), "code", "一件事编码须为 1–64 位字母、数字或 . _ -")
	v.Check(strings.TrimSpace(b.Name) != "" && utf8.RuneCountInString(b.Name) <= 100, "name", "一件事名称必填，最多 100 字")
	v.Check(status == StatusDraft || status == StatusPublished || status == StatusRetired, "status", "状态须为草稿、已发布或已停用")
	v.Check(len(b.Stages) > 0, "stages", "至少要有一个阶段")
	b.Keywords, b.Themes = normalizeWords(b.Keywords), normalizeWords(b.Themes)
	checkWords(&v, b.Keywords, b.Themes)
	seen := map[string]bool{}
	count := 0
	for i, s := range b.Stages {
		v.Check(len(s.Items) > 0, fmt.Sprintf("stages[%d].items", i), "每个阶段至少包含一个事项")
		for j, code := range s.Items {
			f := fmt.Sprintf("stages[%d].items[%d]", i, j)
			if seen[code] {
				v.Add(f, fmt.Sprintf("事项 %s 重复", code))
			}
			seen[code] = true
			count++
		}
	}
	v.Check(count >= 2, "stages", "一件事至少包含两个事项")
	checkLimit(&v, "promised_limit", b.PromisedLimit)
	if status != StatusDraft {
		v.Check(b.PromisedLimit.IsSet(), "promised_limit", "发布的一件事须有承诺时限")
	}
	keys := map[string]bool{}
	for i, f := range b.Form.Fields {
		p := fmt.Sprintf("form.fields[%d]", i)
		v.Check(fieldKeyRe.MatchString(f.Key), p+".key", "字段名须为小写字母开头的字母、数字或 _")
		if keys[f.Key] {
			v.Add(p+".key", fmt.Sprintf("字段 %s 重复：共用的字段只问一次", f.Key))
		}
		keys[f.Key] = true
		v.Check(strings.TrimSpace(f.Label) != "", p+".label", "字段须有标签")
		v.Check(slices.Contains(FieldTypes, f.Type), p+".type", "字段类型须为 "+strings.Join(FieldTypes, "、"))
		v.Check(len(f.Items) > 0, p+".items", "字段须至少供一个事项使用")
		for _, it := range f.Items {
			v.Check(seen[it], p+".items", fmt.Sprintf("事项 %s 不在本一件事中", it))
		}
		v.Check(len(f.Feeds) == 0 || len(f.Feeds) == len(f.Items), p+".feeds", "数据共享设置须与事项一一对应")
		if f.Type == "choice" {
			v.Check(len(f.Options) >= 2, p+".options", "选择题至少两个选项")
		}
	}
	return v.Err()
}

var (
	numberRe  = regexp.MustCompile(`^-?\d+(\.\d+)?$`)
	fileIDRe  = regexp.MustCompile(`^f_[0-9a-f]{24}$`)
	dateRe    = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	maxLenDef = 500
)

// ValidateForm checks the answers to a merged form, every field by its type, and reports every
// problem at once, each naming its field. Unknown keys are refused so that nothing is lost.
func ValidateForm(form BundleForm, values map[string]string) error {
	var v errs.Validation
	known := make(map[string]bool, len(form.Fields))
	for _, f := range form.Fields {
		known[f.Key] = true
		val := strings.TrimSpace(values[f.Key])
		field := "form." + f.Key
		if val == "" {
			v.Check(!f.Required, field, f.Label+"必填")
			continue
		}
		limit := f.MaxLen
		if limit == 0 {
			limit = maxLenDef
		}
		if utf8.RuneCountInString(val) > limit {
			v.Add(field, fmt.Sprintf("%s不能超过 %d 字", f.Label, limit))
			continue
		}
		switch f.Type {
		case "number":
			if !numberRe.MatchString(val) {
				v.Add(field, f.Label+"须为数字")
				continue
			}
			n, _ := strconv.ParseFloat(val, 64)
			if f.Min != nil && n < *f.Min || f.Max != nil && n > *f.Max {
				v.Add(field, fmt.Sprintf("%s超出允许范围", f.Label))
			}
		case "date":
			if _, err := time.Parse("2006-01-02", val); err != nil || !dateRe.MatchString(val) {
				v.Add(field, f.Label+"须为日期 YYYY-MM-DD")
			}
		case "choice":
			v.Check(slices.Contains(f.Options, val), field, fmt.Sprintf("%s须为：%s", f.Label, strings.Join(f.Options, "、")))
		case "id_number":
			v.Check(ids.ValidIDNumber(val), field, f.Label+"不是有效的居民身份证号码（校验码不符合 GB 11643）")
		case "credit_code":
			v.Check(ids.ValidCreditCode(strings.ToUpper(val)), field, f.Label+"不是有效的统一社会信用代码（校验码不符合 GB 32100）")
		case "phone":
			v.Check(ids.ValidPhone(val), field, f.Label+"须为 11 位手机号或带区号的固定电话")
		case "address":
			v.Check(utf8.RuneCountInString(val) >= 5, field, f.Label+"请填写到门牌号")
		case "file":
			v.Check(fileIDRe.MatchString(val), field, f.Label+"须为已上传的文件")
		}
	}
	for k := range values {
		if !known[k] {
			v.Add("form."+k, "表单中没有这个字段")
		}
	}
	return v.Err()
}

// ItemForm picks out the answers that feed one item, under that item's own field names.
func ItemForm(form BundleForm, values map[string]string, item string) map[string]string {
	out := map[string]string{}
	for _, f := range form.Fields {
		for i, it := range f.Items {
			if it != item {
				continue
			}
			name := f.Key
			if len(f.Feeds) == len(f.Items) {
				name = f.Feeds[i]
			}
			if val, ok := values[f.Key]; ok {
				out[name] = val
			}
		}
	}
	return out
}
