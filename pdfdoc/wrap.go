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
// newlines start new lines; spaces at a break are dropped; nothing else is ever lost.
func breakLines(text string, width float64, measure func(string) float64) []string {
	var lines []string
	for _, p := range strings.Split(strings.ReplaceAll(text, "\r", ""), "\n") {
		var cur strings.Builder
		curW := 0.0
		emitted := false
		emit := func() {
			if s := strings.TrimRight(cur.String(), " "); s != "" {
				lines = append(lines, s)
				emitted = true
			}
			cur.Reset()
			curW = 0
		}
		for _, u := range units(p) {
			w := measure(u.text)
			switch {
			case u.space && cur.Len() == 0 && emitted:
				// no space at the start of a wrapped line
			case curW+w <= width+1e-9:
				cur.WriteString(u.text)
				curW += w
			case u.space:
				emit()
			case w <= width+1e-9:
				emit()
				cur.WriteString(u.text)
				curW = w
			default: // longer than a whole line: break it between characters
				for _, r := range u.text {
					rw := measure(string(r))
					if curW+rw > width+1e-9 && cur.Len() > 0 {
						emit()
					}
					cur.WriteRune(r)
					curW += rw
				}
			}
		}
		emit()
		if !emitted {
			lines = append(lines, "")
		}
	}
	return lines
}
