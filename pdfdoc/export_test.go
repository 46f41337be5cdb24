package pdfdoc

// CJKFont is the embedded font, for the external tests (which may import the demo: it imports
// cases, which imports pdfdoc).
var CJKFont = cjkFont
