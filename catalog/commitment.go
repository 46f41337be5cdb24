package catalog

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"banhao/errs"
)

// 告知承诺 (issue 16): an item in the commitment mode carries the 承诺书 its applicant signs and
// the working days within which its department checks the commitment afterwards (事后核查).

// MaxPostCheckDays is the longest post-check limit an item may set (working days).
const MaxPostCheckDays = 250

// MaxCommitmentScopeRunes is the longest 告知承诺适用范围 (CommitmentScope).
const MaxCommitmentScopeRunes = 100

// MaxCommitmentRunes is the longest commitment text.
const MaxCommitmentRunes = 5000

// checkCommitment is the commitment part of Validate: an item in the commitment mode has its
// 承诺书 and a post-check limit; an item in any other mode has neither.
func checkCommitment(v *errs.Validation, it *Item, mode string) {
	v.Check(utf8.RuneCountInString(it.CommitmentScope) <= MaxCommitmentScopeRunes && !strings.ContainsAny(it.CommitmentScope, "<>\r\n"),
		"commitment_scope", fmt.Sprintf("告知承诺适用范围须为一句话（不超过 %d 字，不含尖括号和换行）", MaxCommitmentScopeRunes))
	if mode != ModeCommitment {
		v.Check(it.CommitmentScope == "", "commitment_scope", "只有办理方式为告知承诺的事项才填写告知承诺适用范围")
		v.Check(it.Commitment == "", "commitment", "只有办理方式为告知承诺的事项才填写承诺书")
		v.Check(it.PostCheckDays == 0, "post_check_days", "只有办理方式为告知承诺的事项才填写事后核查时限")
		return
	}
	n := utf8.RuneCountInString(it.Commitment)
	v.Check(n >= 10 && n <= MaxCommitmentRunes, "commitment", "办理方式为告知承诺的事项须填写承诺书（10–5000 字）")
	v.Check(it.PostCheckDays >= 1 && it.PostCheckDays <= MaxPostCheckDays, "post_check_days",
		"办理方式为告知承诺的事项须填写事后核查时限（1–250 个工作日）")
}
