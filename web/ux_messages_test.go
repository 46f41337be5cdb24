package web_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// codeWords are the values of enumerations that people choose on forms by their Chinese names
// (roles, calendar day kinds, applicant kinds, statuses, channels, call strategies…). A message
// written for people names the choice as the form shows it, never by its code.
var codeWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`person organization org holiday workday normal admin clerk approver agent
		hall_manager supervisor hotline auditor department item bundle longest_wait priority weighted
		draft published retired active immediate promised working_day natural_day applicant certificate
		shared paper electronic both window mail online kiosk counter phone sms green service staff day hour
		approved denied special_procedure suspension none yellow red file_id certificate_id warn terminate
		feeds items case ticket call recall start finish no_show transfer park resume accept correction
		supply reject suspend extend decide deliver withdraw claim release`) {
		codeWords[w] = true
	}
}

// fileFormat holds texts that describe a file's own columns and values (an import file is
// written with them), not choices made on a form.
var fileFormat = map[string]bool{
	"第 %d 行，列 kind：须为 holiday（休息日）、workday（调休上班）或 normal（恢复正常）": true,
}

// TestCapabilityMessagesNameChoicesInChinese reads every Chinese text of the capabilities whose
// errors reach people (and of web) and finds no enumeration code in it: "角色无效，可选：中心管理员、综合窗口…",
// not "可选 admin、clerk…"; "须为休息日（节假日）…", not "须为 holiday…".
func TestCapabilityMessagesNameChoicesInChinese(t *testing.T) {
	word := regexp.MustCompile(`%[a-z]|[A-Za-z][A-Za-z_]*`)
	column := regexp.MustCompile(`^[a-z_]+（.*）$`) // an import file's column header: "phone（电话）"
	sqlText := regexp.MustCompile(`^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\s`)
	for _, dir := range []string{"identity", "calendar", "calendar/calstore", "queue", "cases", "catalog", "hotline", "ratings", "certs", "web"} {
		files, err := filepath.Glob(filepath.Join("..", dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no source (%v)", dir, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			fs := token.NewFileSet()
			af, err := parser.ParseFile(fs, f, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(af, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil || !strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) || fileFormat[s] || column.MatchString(s) || strings.HasPrefix(s, "{") /* a JSON template */ || sqlText.MatchString(s) {
					return true
				}
				for _, w := range word.FindAllString(s, -1) {
					if codeWords[w] {
						t.Errorf("%s: %q shows the code %q to people", fs.Position(lit.Pos()), s, w)
					}
				}
				return true
			})
		}
	}
}
