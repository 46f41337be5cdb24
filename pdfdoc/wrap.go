package pdfdoc

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Line breaking for Chinese and mixed text, used by every document instead of fpdf's MultiCell
// and SplitText (which drop the character at which they break a line of Chinese text).
//
// A line may break between any two Chinese characters, and at spaces; a run of Latin letters,
// digits and ASCII punctuation (a word, a number, a code, an address) stays whole on one line
// when it fits on a line of its own and is broken between characters only when it is longer
// than a whole line. Closing punctuation never starts a line and opening punctuation never ends
// one (禁则): such a mark travels with its neighbour.

// noLineStart are marks that must not begin a line.
const noLineStart = "，。、；：？！）」』》〉】〕’”…·—％‰，．,.;:?!)]}%"

// noLineEnd are marks that must not end a line.
const noLineEnd = "（「『《〈【〔‘“([{"

// unit is a piece of text that is never broken (unless it is longer than a line).
type unit struct {
	text  string
	space bool
}

// wordRune tells whether r belongs to a Latin word: letters, digits and punctuation of the
// alphabetic scripts, but not spaces.
func wordRune(r rune) bool {
	if r == ' ' || r == '\t' || r >= 0x2000 {
		return false
	}
	return unicode.IsPrint(r)
}

// units cuts one paragraph into unbreakable pieces.
func units(p string) []unit {
	var out []unit
	word := strings.Builder{}
	flush := func() {
		if word.Len() > 0 {
			out = append(out, unit{text: word.String()})
			word.Reset()
		}
	}
	for _, r := range p {
		switch {
		case r == ' ' || r == '\t':
			flush()
			out = append(out, unit{text: " ", space: true})
		case wordRune(r):
			word.WriteRune(r)
		default:
			flush()
			out = append(out, unit{text: string(r)})
		}
	}
	flush()
	// 禁则: glue closing marks to what precedes them and opening marks to what follows.
	glued := out[:0:0]
	for _, u := range out {
		if n := len(glued); n > 0 && !u.space && !glued[n-1].space {
			first, _ := utf8.DecodeRuneInString(u.text)
			last, _ := utf8.DecodeLastRuneInString(glued[n-1].text)
			if strings.ContainsRune(noLineStart, first) || strings.ContainsRune(noLineEnd, last) {
				glued[n-1].text += u.text
				continue
			}
		}
		glued = append(glued, u)
	}
	return glued
}

// breakLines splits text into lines no wider than width, as measure measures a string. Explicit
// newlines start new lines; spaces at a break are dropped; nothing else is ever lost. A line
// never ends in a hyphen that belongs to a broken token: text extraction (pdftotext, copy and
// paste) takes a hyphen at the end of a line for a hyphenation and drops it, so it goes to the
// start of the next line.
func breakLines(text string, width float64, measure func(string) float64) []string {
	const eps = 1e-9
	var lines []string
	for _, p := range strings.Split(strings.ReplaceAll(text, "\r", ""), "\n") {
		var cur strings.Builder
		curW := 0.0
		emitted := false
		emit := func() {
			s := strings.TrimRight(cur.String(), " ")
			cur.Reset()
			curW = 0
			if s == "" {
				return
			}
			if kept := strings.TrimRight(s, "-"); kept != "" && kept != s {
				cur.WriteString(s[len(kept):])
				curW = measure(s[len(kept):])
				s = kept
			}
			lines = append(lines, s)
			emitted = true
		}
		add := func(s string, w float64) {
			cur.WriteString(s)
			curW += w
		}
		// charBreak places a piece longer than the room left, breaking it between characters.
		charBreak := func(s string) {
			for _, r := range s {
				rw := measure(string(r))
				if curW+rw > width+eps && cur.Len() > 0 {
					emit()
				}
				if curW+rw > width+eps && cur.Len() > 0 { // a carried hyphen leaves no room
					emit()
				}
				add(string(r), rw)
			}
		}
		for _, u := range units(p) {
			w := measure(u.text)
			switch {
			case u.space && cur.Len() == 0 && emitted:
				// no space at the start of a wrapped line
			case curW+w <= width+eps:
				add(u.text, w)
			case u.space:
				emit()
			case w <= width+eps: // fits on a line of its own
				emit()
				if curW+w <= width+eps {
					add(u.text, w)
				} else {
					charBreak(u.text)
				}
			default: // longer than a whole line
				charBreak(u.text)
			}
		}
		if s := strings.TrimRight(cur.String(), " "); s != "" {
			lines = append(lines, s)
			emitted = true
		}
		if !emitted {
			lines = append(lines, "")
		}
	}
	return lines
}
