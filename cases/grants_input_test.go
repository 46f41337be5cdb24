package cases_test

import (
	"context"
	"strings"
	"testing"

	"banhao/calendar"
	"banhao/cases"
	"banhao/errs"
)

// TestGrantNamesWhatIsUnknownShortly: a window authorisation for a clerk, department or item
// that does not exist names what was typed, cut short — a pasted page of text is not echoed
// back in full under the field.
func TestGrantNamesWhatIsUnknownShortly(t *testing.T) {
	e := newEnv(t, sqliteWithCatalog(t))
	long := strings.Repeat("张", 5000)
	d := calendar.MustDate
	for _, in := range []cases.GrantInput{
		{Username: long, Department: "GJJ", Kind: cases.GrantWindow},
		{Username: "clerk", Department: "GJJ", Item: long, Kind: cases.GrantWindow},
	} {
		in.StartsOn, in.EndsOn = d("2026-11-01"), d("2027-10-31")
		_, err := e.svc.GrantWindow(context.Background(), gjjApprover, in)
		fe, ok := errs.As(err)
		if !ok || fe.Code != errs.CodeInvalid || len(fe.Fields) == 0 || !strings.Contains(fe.Fields[0].Message, "不存在") ||
			len([]rune(fe.Fields[0].Message)) > 80 {
			t.Errorf("an unknown %q…: %v", long[:6], err)
		}
	}
}
