package notify

import "strings"

// Reacher is a channel that reaches only some kinds of recipient. Add leaves such a channel out
// for a recipient it cannot reach, so nothing waits in the outbox for a send that must fail.
type Reacher interface {
	Reaches(recipient string) bool
}

// personal are the recipient kinds behind which there is a person with a phone: a hall ticket, an
// appointment, an applicant, a case's applicant. Departments ("department:GAJ") and roles
// ("role:supervisor") are staff, who see warnings in their queues and by webhook, not by SMS.
var personal = []string{"ticket:", "appointment:", "applicant:", "case:"}

// Reaches reports whether the recipient is a person the SMS channel can find a phone for.
func (c *SMSChannel) Reaches(recipient string) bool {
	for _, p := range personal {
		if strings.HasPrefix(recipient, p) {
			return true
		}
	}
	return false
}

// reaching keeps the channels of names that can reach recipient.
func (o *Outbox) reaching(names []string, recipient string) []string {
	out := names[:0]
	for _, n := range names {
		if r, ok := o.channels[n].(Reacher); ok && !r.Reaches(recipient) {
			continue
		}
		out = append(out, n)
	}
	return out
}
